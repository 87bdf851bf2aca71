// A control whose apply block is never closed.
#include <core.p4>

control C(inout bit<8> x) {
    apply {
        x = 1;

// ERROR: 6:15: unexpected end of input
