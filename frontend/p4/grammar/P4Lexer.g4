// Tokens of P4-16 (language specification v1.2.x), written for ebpfc.
//
// Two deliberate departures from a naive tokenizer:
//  * '>>' is never one token. Type argument lists close with '>' and may end
//    next to each other (bit<8>> in tuple<bit<8>>); the parser rebuilds the
//    shift operators from adjacent '>' tokens (AstBuilder checks that
//    nothing separates them).
//  * Identifiers that name types are retyped TYPE_IDENTIFIER by
//    P4TokenStream, from the declarations the parser has seen so far: P4's
//    grammar needs that distinction (e.g. for "(T) x" casts), as p4c's does.
//
// The input is already preprocessed; no lexer rule fails, so every error is
// reported by the parser with a location.
lexer grammar P4Lexer;

// Assigned by P4TokenStream to identifiers that name types (see above).
tokens { TYPE_IDENTIFIER }

ABSTRACT : 'abstract';
ACTION : 'action';
ACTIONS : 'actions';
APPLY : 'apply';
BOOL : 'bool';
BIT : 'bit';
BREAK : 'break';
CONST : 'const';
CONTINUE : 'continue';
CONTROL : 'control';
DEFAULT : 'default';
ELSE : 'else';
ENTRIES : 'entries';
ENUM : 'enum';
ERROR : 'error';
EXIT : 'exit';
EXTERN : 'extern';
FALSE : 'false';
FOR : 'for';
HEADER : 'header';
HEADER_UNION : 'header_union';
IF : 'if';
IN : 'in';
INOUT : 'inout';
INT : 'int';
KEY : 'key';
LIST : 'list';
MATCH_KIND : 'match_kind';
OUT : 'out';
PACKAGE : 'package';
PARSER : 'parser';
PRIORITY : 'priority';
RETURN : 'return';
SELECT : 'select';
STATE : 'state';
STRING : 'string';
STRUCT : 'struct';
SWITCH : 'switch';
TABLE : 'table';
THIS : 'this';
TRANSITION : 'transition';
TRUE : 'true';
TUPLE : 'tuple';
TYPE : 'type';
TYPEDEF : 'typedef';
VALUESET : 'value_set';
VARBIT : 'varbit';
VOID : 'void';

// "@pragma name tokens..." runs to the end of its line (a string in it
// may span lines).
PRAGMA_LINE : '@' [ \t]* 'pragma' (~[\r\n"] | STRING_LITERAL)* ;

// Longest operators first only matters for readability: ANTLR takes the
// longest match anyway.
INVALID_HEADER : '{#}';
DOTS : '...';
RANGE : '..';
MASK : '&&&';
AND : '&&';
OR : '||';
EQ : '==';
NE : '!=';
GE : '>=';
LE : '<=';
SHL : '<<';
CONCAT : '++';
SAT_ADD : '|+|';
SAT_SUB : '|-|';
SAT_ADD_ASSIGN : '|+|=';
SAT_SUB_ASSIGN : '|-|=';
ADD_ASSIGN : '+=';
SUB_ASSIGN : '-=';
MUL_ASSIGN : '*=';
DIV_ASSIGN : '/=';
MOD_ASSIGN : '%=';
SHL_ASSIGN : '<<=';
AND_ASSIGN : '&=';
OR_ASSIGN : '|=';
XOR_ASSIGN : '^=';
PLUS : '+';
MINUS : '-';
STAR : '*';
SLASH : '/';
PERCENT : '%';
PIPE : '|';
AMP : '&';
CARET : '^';
TILDE : '~';
NOT : '!';
LT : '<';
GT : '>';
LPAREN : '(';
RPAREN : ')';
LBRACKET : '[';
RBRACKET : ']';
LBRACE : '{';
RBRACE : '}';
COLON : ':';
SEMICOLON : ';';
COMMA : ',';
DOT : '.';
QUESTION : '?';
ASSIGN : '=';
AT : '@';
DONTCARE : '_';

// An optional width and signedness prefix ("8w", "16s"), then the value in
// decimal or with a base prefix; '_' separates digits.
INTEGER : (DIGIT+ [ws])? INTEGER_VALUE ;
fragment INTEGER_VALUE
  : '0' [xX] [0-9a-fA-F_]+
  | '0' [bB] [01_]+
  | '0' [oO] [0-7_]+
  | '0' [dD] [0-9_]+
  | DIGIT (DIGIT | '_')*
  ;
fragment DIGIT : [0-9] ;

STRING_LITERAL : '"' (~["\\] | '\\' .)* '"' ;

IDENTIFIER : [A-Za-z_] [A-Za-z0-9_]* ;

// Directives the preprocessor leaves in its output (#pragma, line markers)
// carry no P4 meaning.
PREPROCESSOR_LINE : '#' [ \t]* [a-z0-9] ~[\r\n]* -> skip ;
LINE_COMMENT : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WHITESPACE : [ \t\r\n\f]+ -> skip ;

// Anything else becomes a token the parser rejects with a located message
// (or accepts inside an annotation body).
UNEXPECTED_CHARACTER : . ;
