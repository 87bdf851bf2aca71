// '>>' must be written without a space between the two '>'.
const bit<8> a = 8w16 > > 2;

// ERROR: 2:25: unexpected '>': write '>>' without spaces
