// A slice must lie within its value.
#include <core.p4>

control C(inout bit<8> x) {
    apply {
        x[3:0] = x[9:6];
    }
}

// ERROR: 6:18: slice [9:6] is out of range for 'bit<8>'
