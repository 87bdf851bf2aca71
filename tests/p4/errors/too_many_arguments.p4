// An action called with more arguments than it takes.
#include <core.p4>

control C(inout bit<8> x) {
    action set(bit<8> v) { x = v; }
    apply {
        set(1, 2);
    }
}

// ERROR: 7:9: action 'set' takes 1 argument, not 2
