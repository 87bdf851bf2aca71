// The syntax of P4-16 (language specification v1.2.x), written for ebpfc
// from the specification's text. It accepts the whole language; what the
// eBPF targets cannot run is rejected later, by the semantic checks, with a
// message at its line.
//
// Names: the specification distinguishes identifiers that name types
// (TYPE_IDENTIFIER) from all others. P4TokenStream assigns the token type
// from the declarations the parser has already seen: the rules
// typeDeclarationName and typeParameterName report them (see
// TypeNameScopes). Declarations are parsed in order, as P4 requires names
// to be declared before use.
parser grammar P4Parser;

options { tokenVocab = P4Lexer; }

program : (declaration | SEMICOLON)* EOF ;

declaration
  : constantDeclaration
  | externDeclaration
  | actionDeclaration
  | parserDeclaration
  | typeDeclaration
  | controlDeclaration
  | instantiation
  | errorDeclaration
  | matchKindDeclaration
  | functionDeclaration
  ;

// ---------------------------------------------------------------- names

nonTypeName : IDENTIFIER | APPLY | KEY | ACTIONS | STATE | ENTRIES | TYPE | PRIORITY ;
name : nonTypeName | LIST | TYPE_IDENTIFIER ;
nonTableKwName : IDENTIFIER | TYPE_IDENTIFIER | APPLY | STATE | TYPE | PRIORITY ;
// A name that declares a type: from here on it is a TYPE_IDENTIFIER.
typeDeclarationName : name ;
// A type parameter: a type name until the end of its declaration.
typeParameterName : name ;

// ---------------------------------------------------------------- annotations

annotations : annotation+ ;
annotation
  : AT name                                            # emptyAnnotation
  | AT name LPAREN annotationBody RPAREN               # unstructuredAnnotation
  | AT name LBRACKET structuredAnnotationBody RBRACKET # structuredAnnotation
  | PRAGMA_LINE                                        # pragmaAnnotation
  ;
annotationBody : (LPAREN annotationBody RPAREN | annotationToken)* ;
annotationToken : ~(LPAREN | RPAREN) ;
structuredAnnotationBody
  : expressionList COMMA?
  | kvPair (COMMA kvPair)* COMMA?
  ;
kvPair : name ASSIGN expression ;

// ---------------------------------------------------------------- parameters

parameterList : (parameter (COMMA parameter)*)? ;
parameter : annotations? direction typeRef name (ASSIGN expression)? ;
direction : IN | OUT | INOUT | /* none */ ;

typeParameters : LT typeParameterName (COMMA typeParameterName)* GT ;

// ---------------------------------------------------------------- packages, instances

packageTypeDeclaration
  : annotations? PACKAGE typeDeclarationName typeParameters? LPAREN parameterList RPAREN ;

instantiation
  : annotations? typeRef LPAREN argumentList RPAREN name (ASSIGN objectInitializer)? SEMICOLON ;
objectInitializer : LBRACE (functionDeclaration | instantiation)* RBRACE ;
constructorParameters : LPAREN parameterList RPAREN ;

// ---------------------------------------------------------------- parsers

// A parser, or with ';' only its type. One rule for both, so choosing
// between them needs no lookahead past the type parameters (which become
// type names only once the parser has read them).
parserDeclaration
  : parserTypeDeclaration
    (SEMICOLON | constructorParameters? LBRACE parserLocalElement* parserState+ RBRACE) ;
parserTypeDeclaration
  : annotations? PARSER typeDeclarationName typeParameters? LPAREN parameterList RPAREN ;
parserLocalElement
  : constantDeclaration
  | instantiation
  | variableDeclaration
  | valueSetDeclaration
  ;
parserState
  : annotations? STATE name LBRACE parserStatement* transitionStatement? RBRACE ;
parserStatement
  : assignmentOrMethodCallStatement
  | directApplication
  | emptyStatement
  | variableDeclaration
  | constantDeclaration
  | parserBlockStatement
  | conditionalStatement
  ;
parserBlockStatement : annotations? LBRACE parserStatement* RBRACE ;
transitionStatement : TRANSITION stateExpression ;
stateExpression
  : name SEMICOLON     # directTransition
  | selectExpression   # selectTransition
  ;
selectExpression : SELECT LPAREN expressionList RPAREN LBRACE selectCase* RBRACE ;
selectCase : keysetExpression COLON name SEMICOLON ;
keysetExpression
  : LPAREN simpleKeysetExpression (COMMA simpleKeysetExpression)* COMMA? RPAREN # tupleKeyset
  | simpleKeysetExpression                                                     # singleKeyset
  ;
simpleKeysetExpression
  : expression MASK expression   # maskKeyset
  | expression RANGE expression  # rangeKeyset
  | DEFAULT                      # defaultKeyset
  | DONTCARE                     # dontCareKeyset
  | expression                   # valueKeyset
  ;
valueSetDeclaration
  : annotations? VALUESET LT valueSetElementType GT LPAREN expression RPAREN name SEMICOLON ;
valueSetElementType : baseType | tupleType | typeName ;

// ---------------------------------------------------------------- controls

controlDeclaration
  : controlTypeDeclaration
    (SEMICOLON | constructorParameters? LBRACE controlLocalDeclaration* APPLY blockStatement RBRACE) ;
controlTypeDeclaration
  : annotations? CONTROL typeDeclarationName typeParameters? LPAREN parameterList RPAREN ;
controlLocalDeclaration
  : constantDeclaration
  | actionDeclaration
  | tableDeclaration
  | instantiation
  | variableDeclaration
  ;

// ---------------------------------------------------------------- externs

externDeclaration
  : annotations? EXTERN typeDeclarationName typeParameters? LBRACE methodPrototype* RBRACE # externObjectDeclaration
  | annotations? EXTERN functionPrototype SEMICOLON                                        # externFunctionDeclaration
  ;
functionPrototype : typeOrVoid name typeParameters? LPAREN parameterList RPAREN ;
methodPrototype
  : annotations? TYPE_IDENTIFIER LPAREN parameterList RPAREN SEMICOLON # constructorPrototype
  | annotations? ABSTRACT? functionPrototype SEMICOLON                # methodFunctionPrototype
  ;

// ---------------------------------------------------------------- types

typeRef
  : baseType                            # baseTypeRef
  | typeName                            # namedTypeRef
  | specializedType                     # specializedTypeRef
  | TUPLE LT typeArgumentList GT        # tupleTypeRef
  | LIST LT typeArgument GT             # listTypeRef
  | typeRef LBRACKET expression RBRACKET # stackTypeRef
  ;
tupleType : TUPLE LT typeArgumentList GT ;
typeName : DOT? TYPE_IDENTIFIER ;
specializedType : typeName LT typeArgumentList GT ;
namedType : typeName | specializedType ;
baseType
  : BOOL                                  # boolType
  | MATCH_KIND                            # matchKindType
  | ERROR                                 # errorType
  | STRING                                # stringType
  | BIT (LT width GT)?                    # bitType
  | INT (LT width GT)?                    # intType
  | VARBIT LT width GT                    # varbitType
  ;
// The specification allows an integer or a parenthesized expression; a
// constant's name is accepted too, as p4c does.
width : INTEGER | nonTypeName | LPAREN expression RPAREN ;
typeOrVoid : typeRef | VOID | IDENTIFIER ;
typeArgument : typeRef | nonTypeName | VOID | DONTCARE ;
typeArgumentList : (typeArgument (COMMA typeArgument)*)? ;
realTypeArgument : typeRef | VOID | DONTCARE ;
realTypeArgumentList : realTypeArgument (COMMA typeArgument)* ;

typeDeclaration
  : derivedTypeDeclaration
  | typedefDeclaration SEMICOLON
  | packageTypeDeclaration SEMICOLON
  ;
derivedTypeDeclaration
  : headerTypeDeclaration
  | headerUnionDeclaration
  | structTypeDeclaration
  | enumDeclaration
  ;
headerTypeDeclaration
  : annotations? HEADER typeDeclarationName typeParameters? LBRACE structField* RBRACE ;
headerUnionDeclaration
  : annotations? HEADER_UNION typeDeclarationName typeParameters? LBRACE structField* RBRACE ;
structTypeDeclaration
  : annotations? STRUCT typeDeclarationName typeParameters? LBRACE structField* RBRACE ;
structField : annotations? typeRef name SEMICOLON ;
enumDeclaration
  : annotations? ENUM typeDeclarationName LBRACE name (COMMA name)* COMMA? RBRACE    # plainEnum
  | annotations? ENUM typeRef typeDeclarationName
    LBRACE specifiedIdentifier (COMMA specifiedIdentifier)* COMMA? RBRACE          # serializableEnum
  ;
specifiedIdentifier : name ASSIGN expression ;
errorDeclaration : ERROR LBRACE name (COMMA name)* COMMA? RBRACE ;
matchKindDeclaration : MATCH_KIND LBRACE name (COMMA name)* COMMA? RBRACE ;
typedefDeclaration
  : annotations? TYPEDEF (typeRef | derivedTypeDeclaration) typeDeclarationName # typedefAlias
  | annotations? TYPE typeRef typeDeclarationName                                # newTypeDefinition
  ;

// ---------------------------------------------------------------- statements

assignmentOrMethodCallStatement : assignmentOrMethodCall SEMICOLON ;
assignmentOrMethodCall
  : lvalue (LT typeArgumentList GT)? LPAREN argumentList RPAREN # methodCallStatement
  | lvalue assignmentOperator expression                      # assignmentStatement
  ;
assignmentOperator
  : ASSIGN | MUL_ASSIGN | DIV_ASSIGN | MOD_ASSIGN | ADD_ASSIGN | SUB_ASSIGN
  | SAT_ADD_ASSIGN | SAT_SUB_ASSIGN | SHL_ASSIGN | GT GE | AND_ASSIGN | OR_ASSIGN | XOR_ASSIGN
  ;
emptyStatement : SEMICOLON ;
exitStatement : EXIT SEMICOLON ;
returnStatement : RETURN expression? SEMICOLON ;
conditionalStatement : IF LPAREN expression RPAREN statement (ELSE statement)? ;
breakStatement : BREAK SEMICOLON ;
continueStatement : CONTINUE SEMICOLON ;
directApplication : (typeName | specializedType) DOT APPLY LPAREN argumentList RPAREN SEMICOLON ;

statement
  : assignmentOrMethodCallStatement
  | directApplication
  | conditionalStatement
  | emptyStatement
  | blockStatement
  | returnStatement
  | breakStatement
  | continueStatement
  | exitStatement
  | switchStatement
  | forStatement
  ;
blockStatement : annotations? LBRACE statementOrDeclaration* RBRACE ;
statementOrDeclaration : variableDeclaration | constantDeclaration | statement ;

switchStatement : SWITCH LPAREN expression RPAREN LBRACE switchCase* RBRACE ;
switchCase : switchLabel COLON blockStatement? ;
switchLabel : DEFAULT | expression ;

forStatement
  : annotations? FOR LPAREN forInitializers? SEMICOLON expression? SEMICOLON forUpdates? RPAREN statement # forLoop
  | annotations? FOR LPAREN annotations? typeRef name IN forCollection RPAREN statement                  # forInLoop
  ;
forInitializers : forInitializer (COMMA forInitializer)* ;
forInitializer : variableDeclarationWithoutSemicolon | assignmentOrMethodCall ;
forUpdates : assignmentOrMethodCall (COMMA assignmentOrMethodCall)* ;
forCollection : expression (RANGE expression)? ;

// ---------------------------------------------------------------- tables

tableDeclaration : annotations? TABLE name LBRACE tableProperty+ RBRACE ;
tableProperty
  : KEY ASSIGN LBRACE keyElement* RBRACE                               # keyProperty
  | ACTIONS ASSIGN LBRACE actionListElement* RBRACE                     # actionsProperty
  | annotations? CONST? ENTRIES ASSIGN LBRACE entry* RBRACE            # entriesProperty
  | annotations? CONST? nonTableKwName ASSIGN expression SEMICOLON      # simpleProperty
  ;
keyElement : expression COLON name annotations? SEMICOLON ;
actionListElement : annotations? actionRef SEMICOLON ;
actionRef : DOT? nonTypeName (LPAREN argumentList RPAREN)? ;
entry
  : CONST? entryPriority? keysetExpression COLON actionRef annotations? SEMICOLON ;
entryPriority : PRIORITY ASSIGN (INTEGER | LPAREN expression RPAREN) COLON ;

// ---------------------------------------------------------------- actions, variables, functions

actionDeclaration : annotations? ACTION name LPAREN parameterList RPAREN blockStatement ;
variableDeclaration : variableDeclarationWithoutSemicolon SEMICOLON ;
variableDeclarationWithoutSemicolon : annotations? typeRef name (ASSIGN expression)? ;
constantDeclaration : annotations? CONST typeRef name ASSIGN expression SEMICOLON ;
functionDeclaration : annotations? functionPrototype blockStatement ;

// ---------------------------------------------------------------- expressions

argumentList : (argument (COMMA argument)*)? ;
argument
  : name ASSIGN expression   # namedArgument
  | name ASSIGN DONTCARE     # namedDontCareArgument
  | expression               # positionalArgument
  | DONTCARE                 # dontCareArgument
  ;
expressionList : (expression (COMMA expression)*)? ;
prefixedNonTypeName : DOT? nonTypeName ;

lvalue
  : prefixedNonTypeName                                          # nameLvalue
  | THIS                                                         # thisLvalue
  | lvalue DOT name                                              # memberLvalue
  | lvalue LBRACKET expression RBRACKET                          # indexLvalue
  | lvalue LBRACKET expression COLON expression RBRACKET         # sliceLvalue
  | lvalue LBRACKET expression PLUS COLON expression RBRACKET    # variableSliceLvalue
  | LPAREN lvalue RPAREN                                         # parenLvalue
  ;

// Operator precedence, tightest first, as the specification orders it
// (bitwise operators bind tighter than comparisons, unlike C).
expression
  : INTEGER                                                      # integerLiteral
  | STRING_LITERAL                                               # stringLiteral
  | (TRUE | FALSE)                                               # booleanLiteral
  | THIS                                                         # thisExpression
  | DOTS                                                         # dotsExpression
  | INVALID_HEADER                                               # invalidHeaderExpression
  | prefixedNonTypeName                                          # nameExpression
  | ERROR DOT name                                               # errorMemberExpression
  | typeName DOT name                                            # typeMemberExpression
  | LBRACE expressionList COMMA? RBRACE                          # listExpression
  | LBRACE kvPair (COMMA kvPair)* (COMMA DOTS)? COMMA? RBRACE    # structExpression
  | LPAREN expression RPAREN                                     # parenExpression
  | expression DOT name                                          # memberExpression
  | expression LBRACKET expression RBRACKET                      # indexExpression
  | expression LBRACKET expression COLON expression RBRACKET     # sliceExpression
  | expression LBRACKET expression PLUS COLON expression RBRACKET # variableSliceExpression
  | expression LT realTypeArgumentList GT LPAREN argumentList RPAREN # genericCallExpression
  | expression LPAREN argumentList RPAREN                        # callExpression
  | namedType LPAREN argumentList RPAREN                         # constructorCallExpression
  | LPAREN typeRef RPAREN expression                             # castExpression
  | op=(NOT | TILDE | MINUS | PLUS) expression                   # unaryExpression
  | expression op=(STAR | SLASH | PERCENT) expression            # multiplicativeExpression
  | expression op=(PLUS | MINUS | SAT_ADD | SAT_SUB | CONCAT) expression # additiveExpression
  | expression (SHL | GT GT) expression                          # shiftExpression
  | expression AMP expression                                    # bitAndExpression
  | expression CARET expression                                  # bitXorExpression
  | expression PIPE expression                                   # bitOrExpression
  | expression op=(LE | GE | LT | GT) expression                 # relationalExpression
  | expression op=(EQ | NE) expression                           # equalityExpression
  | expression AND expression                                    # logicalAndExpression
  | expression OR expression                                     # logicalOrExpression
  | <assoc=right> expression QUESTION expression COLON expression # conditionalExpression
  ;
