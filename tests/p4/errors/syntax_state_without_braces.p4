// A parser state needs braces.
#include <core.p4>

parser P(packet_in p) {
    state start transition accept;
}

// ERROR: 5:16: expected '{'
