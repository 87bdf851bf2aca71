// Changing width and signedness in one cast is not allowed.
#include <core.p4>

control C(inout bit<8> x, in int<16> y) {
    apply {
        x = (bit<8>) y;
    }
}

// ERROR: 6:13: cannot cast 'int<16>' to 'bit<8>'
