// The default action must be one of the table's actions.
#include <core.p4>

control C(inout bit<8> x) {
    action a() { x = 1; }
    action b() { x = 2; }
    table t {
        key = { x : exact; }
        actions = { a; }
        default_action = b();
    }
    apply { t.apply(); }
}

// ERROR: 10:26: action 'b' is not in the actions of table 't'
