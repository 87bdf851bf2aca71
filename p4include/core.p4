/* core.p4 for ebpfc: the declarations every P4-16 program may use (the
 * language specification's core library): the standard errors, the packet
 * extraction and emission externs, verify, NoAction and the standard match
 * kinds. Written for ebpfc; same names and signatures as the
 * specification's library, so programs include it unchanged. */

#ifndef EBPFC_CORE_P4
#define EBPFC_CORE_P4

/* Errors a parser can signal. */
error {
    NoError,               /* nothing went wrong */
    PacketTooShort,        /* extract or lookahead ran past the end of the packet */
    NoMatch,               /* no case of a select matched */
    StackOutOfBounds,      /* a header stack was indexed past its size */
    HeaderTooShort,        /* a varbit field was given more bits than it holds */
    ParserTimeout,         /* the parser ran too long */
    ParserInvalidArgument  /* an operation got an argument it cannot use */
}

/* The packet as the parser reads it, from a cursor that only moves forward. */
extern packet_in {
    /* Copies the next bits of the packet into a fixed-size header and
     * makes it valid. */
    void extract<T>(out T hdr);
    /* The same for a header ending in a varbit field, which receives
     * variableFieldSizeInBits bits. */
    void extract<T>(out T variableSizeHeader, in bit<32> variableFieldSizeInBits);
    /* The next bits of the packet, without moving the cursor. */
    T lookahead<T>();
    /* Moves the cursor forward by sizeInBits. */
    void advance(in bit<32> sizeInBits);
    /* The length of the packet in bytes. */
    bit<32> length();
}

/* The packet as the deparser builds it. */
extern packet_out {
    /* Appends a header (if valid), or every valid header of a struct,
     * stack or union, in order. */
    void emit<T>(in T hdr);
}

/* In a parser: rejects the packet with toSignal unless check holds. */
extern void verify(in bool check, in error toSignal);

/* The action that does nothing; tables use it by default. */
@noWarn("unused")
action NoAction() {}

/* How table keys are matched. */
match_kind {
    exact,    /* equal to the entry's key */
    ternary,  /* equal under the entry's mask */
    lpm       /* longest prefix first */
}

/* Compile-time assertions. */
extern bool static_assert(bool check, string message);
extern bool static_assert(bool check);

#endif
