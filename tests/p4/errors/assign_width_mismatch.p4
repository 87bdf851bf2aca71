// bit<16> does not convert to bit<8> implicitly.
#include <core.p4>

control C(inout bit<8> x, in bit<16> y) {
    apply {
        x = y;
    }
}

// ERROR: 6:13: cannot convert 'bit<16>' to 'bit<8>' for the assignment
