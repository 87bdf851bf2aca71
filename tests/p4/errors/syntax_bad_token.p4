// '$' is not a P4 token.
const bit<8> price = $5;

// ERROR: 2:22: unexpected '$'
