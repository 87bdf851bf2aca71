// A type that was never declared.
struct s_t {
    ipv9_addr_t address;
}

// ERROR: 3:5: unknown type 'ipv9_addr_t'
