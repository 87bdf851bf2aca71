// Arithmetic needs operands of the same width.
#include <core.p4>

control C(inout bit<8> x, in bit<16> y) {
    apply {
        x = x + y;
    }
}

// ERROR: 6:15: operands of '+' have different types (bit<8> and bit<16>)
