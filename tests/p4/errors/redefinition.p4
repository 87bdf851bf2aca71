// Two constants with the same name.
const bit<8> limit = 10;
const bit<8> limit = 20;

// ERROR: 3:14: redefinition of 'limit'
// NOTE: previous definition is here
