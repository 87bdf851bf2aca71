// P4 has no implicit conversion from integers to bool.
#include <core.p4>

control C(inout bit<8> x) {
    apply {
        if (x) {
            x = 0;
        }
    }
}

// ERROR: 6:13: the condition of 'if' must be a bool, not 'bit<8>'
