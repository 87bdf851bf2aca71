// A name that was never declared.
#include <core.p4>

control C(inout bit<8> x) {
    apply {
        x = y + 1;
    }
}

// ERROR: 6:13: use of undeclared identifier 'y'
