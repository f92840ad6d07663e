//! Every kind of token and node in the ML syntax tree.

/// Token and node kinds. Tokens come first; `is_trivia`, `is_keyword` and friends
/// classify them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u16)]
#[allow(non_camel_case_types)]
pub enum SyntaxKind {
    // ---- trivia ----
    WHITESPACE = 0,
    COMMENT,

    // ---- literals and names ----
    IDENT,
    NUMBER,
    STRING,
    /// `scheme://…` after `import`.
    URL,

    // ---- punctuation ----
    L_CURLY,
    R_CURLY,
    L_PAREN,
    R_PAREN,
    L_BRACK,
    R_BRACK,
    SEMICOLON,
    COMMA,
    DOT,
    COLON,
    QUESTION,
    FAT_ARROW,
    EQ,

    // ---- operators ----
    PIPE2,
    AMP2,
    EQ2,
    NEQ,
    LT,
    GT,
    LTEQ,
    GTEQ,
    PLUS,
    MINUS,
    STAR,
    SLASH,
    SLASH2,
    PERCENT,
    BANG,

    // ---- keywords (most are contextual: the lexer emits IDENT and the parser remaps) ----
    FN_KW,
    TRUE_KW,
    FALSE_KW,
    FUNCTION_KW,
    IF_KW,
    ELIF_KW,
    ELSE_KW,
    WHILE_KW,
    FOR_KW,
    IN_KW,
    RETURN_KW,
    THROW_KW,
    TRY_KW,
    EXCEPT_KW,
    FINALLY_KW,
    BREAK_KW,
    CONTINUE_KW,
    NONLOCAL_KW,
    IMPORT_KW,
    AS_KW,
    CAPABILITY_KW,
    RESOURCE_KW,
    ALLOW_KW,

    /// A character no token starts with.
    ERROR_TOKEN,
    EOF,

    // ---- nodes ----
    SOURCE_FILE,
    ERROR,

    CAPABILITY_DECL,
    CAPABILITY_RESOURCE,
    CAPABILITY_ALLOW,
    IMPORT,
    IMPORT_PATH,
    IMPORT_ALIAS,
    IMPORT_CONFIG,
    FUNCTION,
    NAME,
    NAME_REF,
    PARAM_LIST,
    PARAM,
    TYPE_ANNOTATION,
    BLOCK,

    EXPR_STMT,
    ASSIGN_STMT,
    DESTRUCTURE_STMT,
    ARRAY_PATTERN,
    OBJECT_PATTERN,
    IF_STMT,
    ELIF_CLAUSE,
    ELSE_CLAUSE,
    WHILE_STMT,
    FOR_STMT,
    RETURN_STMT,
    THROW_STMT,
    TRY_STMT,
    EXCEPT_CLAUSE,
    FINALLY_CLAUSE,
    BREAK_STMT,
    CONTINUE_STMT,
    NONLOCAL_STMT,

    LITERAL,
    PATH_EXPR,
    ARRAY_EXPR,
    OBJECT_EXPR,
    OBJECT_FIELD,
    PAREN_EXPR,
    CALL_EXPR,
    ARG_LIST,
    INDEX_EXPR,
    SLICE,
    FIELD_EXPR,
    PREFIX_EXPR,
    BIN_EXPR,
    TERNARY_EXPR,
    ARROW_EXPR,

    #[doc(hidden)]
    __LAST,
}

use SyntaxKind::*;

impl SyntaxKind {
    #[inline]
    pub fn is_trivia(self) -> bool {
        matches!(self, WHITESPACE | COMMENT)
    }

    #[inline]
    pub fn is_keyword(self) -> bool {
        (FN_KW as u16..=ALLOW_KW as u16).contains(&(self as u16))
    }

    #[inline]
    pub fn is_token(self) -> bool {
        (self as u16) <= EOF as u16
    }

    /// A word that may stand wherever a name is accepted after `.`, as an object key,
    /// or in an import path.
    pub fn is_any_word(self) -> bool {
        self == IDENT || self.is_keyword()
    }

    /// The keyword spelled `text`, if the language has one.
    pub fn from_keyword(text: &str) -> Option<SyntaxKind> {
        let kind = match text {
            "fn" => FN_KW,
            "true" => TRUE_KW,
            "false" => FALSE_KW,
            "function" => FUNCTION_KW,
            "if" => IF_KW,
            "elif" => ELIF_KW,
            "else" => ELSE_KW,
            "while" => WHILE_KW,
            "for" => FOR_KW,
            "in" => IN_KW,
            "return" => RETURN_KW,
            "throw" => THROW_KW,
            "try" => TRY_KW,
            "except" => EXCEPT_KW,
            "finally" => FINALLY_KW,
            "break" => BREAK_KW,
            "continue" => CONTINUE_KW,
            "nonlocal" => NONLOCAL_KW,
            "import" => IMPORT_KW,
            "as" => AS_KW,
            "capability" => CAPABILITY_KW,
            "resource" => RESOURCE_KW,
            "allow" => ALLOW_KW,
            _ => return None,
        };
        Some(kind)
    }

    /// How the kind reads in an error message: `` `;` ``, `identifier`, …
    pub fn describe(self) -> &'static str {
        match self {
            WHITESPACE => "whitespace",
            COMMENT => "comment",
            IDENT => "identifier",
            NUMBER => "number",
            STRING => "string",
            URL => "URL",
            L_CURLY => "`{`",
            R_CURLY => "`}`",
            L_PAREN => "`(`",
            R_PAREN => "`)`",
            L_BRACK => "`[`",
            R_BRACK => "`]`",
            SEMICOLON => "`;`",
            COMMA => "`,`",
            DOT => "`.`",
            COLON => "`:`",
            QUESTION => "`?`",
            FAT_ARROW => "`=>`",
            EQ => "`=`",
            PIPE2 => "`||`",
            AMP2 => "`&&`",
            EQ2 => "`==`",
            NEQ => "`!=`",
            LT => "`<`",
            GT => "`>`",
            LTEQ => "`<=`",
            GTEQ => "`>=`",
            PLUS => "`+`",
            MINUS => "`-`",
            STAR => "`*`",
            SLASH => "`/`",
            SLASH2 => "`//`",
            PERCENT => "`%`",
            BANG => "`!`",
            FN_KW => "`fn`",
            TRUE_KW => "`true`",
            FALSE_KW => "`false`",
            FUNCTION_KW => "`function`",
            IF_KW => "`if`",
            ELIF_KW => "`elif`",
            ELSE_KW => "`else`",
            WHILE_KW => "`while`",
            FOR_KW => "`for`",
            IN_KW => "`in`",
            RETURN_KW => "`return`",
            THROW_KW => "`throw`",
            TRY_KW => "`try`",
            EXCEPT_KW => "`except`",
            FINALLY_KW => "`finally`",
            BREAK_KW => "`break`",
            CONTINUE_KW => "`continue`",
            NONLOCAL_KW => "`nonlocal`",
            IMPORT_KW => "`import`",
            AS_KW => "`as`",
            CAPABILITY_KW => "`capability`",
            RESOURCE_KW => "`resource`",
            ALLOW_KW => "`allow`",
            ERROR_TOKEN => "unknown character",
            EOF => "end of file",
            _ => "syntax node",
        }
    }
}

impl From<SyntaxKind> for rowan::SyntaxKind {
    #[inline]
    fn from(kind: SyntaxKind) -> Self {
        rowan::SyntaxKind(kind as u16)
    }
}

/// The rowan language tag for ML trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MlLanguage {}

impl rowan::Language for MlLanguage {
    type Kind = SyntaxKind;

    #[inline]
    fn kind_from_raw(raw: rowan::SyntaxKind) -> SyntaxKind {
        assert!(raw.0 < __LAST as u16, "unknown syntax kind {}", raw.0);
        // SAFETY: `SyntaxKind` is `repr(u16)` and every value below `__LAST` is a variant.
        unsafe { std::mem::transmute::<u16, SyntaxKind>(raw.0) }
    }

    #[inline]
    fn kind_to_raw(kind: SyntaxKind) -> rowan::SyntaxKind {
        kind.into()
    }
}

pub type SyntaxNode = rowan::SyntaxNode<MlLanguage>;
pub type SyntaxToken = rowan::SyntaxToken<MlLanguage>;
pub type SyntaxElement = rowan::SyntaxElement<MlLanguage>;
pub type SyntaxNodeChildren = rowan::SyntaxNodeChildren<MlLanguage>;
