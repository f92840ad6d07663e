//! A typed view of the syntax tree: thin wrappers over `SyntaxNode`s with accessors
//! named after the language. Every accessor returns `Option` or an iterator, because
//! the tree of a broken file may lack any part.

use crate::text::{number_value, string_value, NumberValue};
use crate::SyntaxKind::{self, *};
use crate::{SyntaxNode, SyntaxToken};
use rowan::{NodeOrToken, TextRange};

/// A typed node over a syntax node of known kind.
pub trait AstNode: Sized {
    fn can_cast(kind: SyntaxKind) -> bool;
    fn cast(node: SyntaxNode) -> Option<Self>;
    fn syntax(&self) -> &SyntaxNode;

    fn range(&self) -> TextRange {
        self.syntax().text_range()
    }
}

macro_rules! ast_nodes {
    ($($(#[$meta:meta])* $name:ident = $kind:ident;)*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(SyntaxNode);

        impl AstNode for $name {
            fn can_cast(kind: SyntaxKind) -> bool {
                kind == $kind
            }
            fn cast(node: SyntaxNode) -> Option<Self> {
                Self::can_cast(node.kind()).then(|| $name(node))
            }
            fn syntax(&self) -> &SyntaxNode {
                &self.0
            }
        }
    )*};
}

ast_nodes! {
    SourceFile = SOURCE_FILE;
    CapabilityDecl = CAPABILITY_DECL;
    CapabilityResource = CAPABILITY_RESOURCE;
    CapabilityAllow = CAPABILITY_ALLOW;
    Import = IMPORT;
    ImportPath = IMPORT_PATH;
    ImportAlias = IMPORT_ALIAS;
    ImportConfig = IMPORT_CONFIG;
    /// `function name(params) { … }`.
    FunctionDef = FUNCTION;
    /// A name being declared: function, parameter, loop variable, pattern element.
    Name = NAME;
    /// A name being used.
    NameRef = NAME_REF;
    ParamList = PARAM_LIST;
    Param = PARAM;
    TypeAnnotation = TYPE_ANNOTATION;
    Block = BLOCK;
    ExprStmt = EXPR_STMT;
    AssignStmt = ASSIGN_STMT;
    DestructureStmt = DESTRUCTURE_STMT;
    ArrayPattern = ARRAY_PATTERN;
    ObjectPattern = OBJECT_PATTERN;
    IfStmt = IF_STMT;
    ElifClause = ELIF_CLAUSE;
    ElseClause = ELSE_CLAUSE;
    WhileStmt = WHILE_STMT;
    ForStmt = FOR_STMT;
    ReturnStmt = RETURN_STMT;
    ThrowStmt = THROW_STMT;
    TryStmt = TRY_STMT;
    ExceptClause = EXCEPT_CLAUSE;
    FinallyClause = FINALLY_CLAUSE;
    BreakStmt = BREAK_STMT;
    ContinueStmt = CONTINUE_STMT;
    NonlocalStmt = NONLOCAL_STMT;
    Literal = LITERAL;
    PathExpr = PATH_EXPR;
    ArrayExpr = ARRAY_EXPR;
    ObjectExpr = OBJECT_EXPR;
    ObjectField = OBJECT_FIELD;
    ParenExpr = PAREN_EXPR;
    CallExpr = CALL_EXPR;
    ArgList = ARG_LIST;
    IndexExpr = INDEX_EXPR;
    Slice = SLICE;
    FieldExpr = FIELD_EXPR;
    PrefixExpr = PREFIX_EXPR;
    BinExpr = BIN_EXPR;
    TernaryExpr = TERNARY_EXPR;
    ArrowExpr = ARROW_EXPR;
}

fn child<N: AstNode>(parent: &SyntaxNode) -> Option<N> {
    parent.children().find_map(N::cast)
}

fn children<N: AstNode>(parent: &SyntaxNode) -> impl Iterator<Item = N> {
    parent.children().filter_map(N::cast)
}

fn token(parent: &SyntaxNode, kind: SyntaxKind) -> Option<SyntaxToken> {
    parent
        .children_with_tokens()
        .filter_map(NodeOrToken::into_token)
        .find(|t| t.kind() == kind)
}

/// The expression child of `parent` that follows exactly `wanted` of the `separators`
/// tokens: it tells `a` from `b` in `a ? b : c`, `x = y` or `s[a:b:c]`.
fn expr_in_slot(parent: &SyntaxNode, separators: &[SyntaxKind], wanted: usize) -> Option<Expr> {
    let mut slot = 0;
    for element in parent.children_with_tokens() {
        match element {
            NodeOrToken::Token(t) if separators.contains(&t.kind()) => {
                slot += 1;
                if slot > wanted {
                    return None;
                }
            }
            NodeOrToken::Node(n) if slot == wanted => {
                if let Some(e) = Expr::cast(n) {
                    return Some(e);
                }
            }
            _ => {}
        }
    }
    None
}

// ---------------------------------------------------------------------------------
// Statements

/// Any statement, declaration or import.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Stmt {
    Capability(CapabilityDecl),
    Import(Import),
    Function(FunctionDef),
    Expr(ExprStmt),
    Assign(AssignStmt),
    Destructure(DestructureStmt),
    If(IfStmt),
    While(WhileStmt),
    For(ForStmt),
    Return(ReturnStmt),
    Throw(ThrowStmt),
    Try(TryStmt),
    Break(BreakStmt),
    Continue(ContinueStmt),
    Nonlocal(NonlocalStmt),
}

impl AstNode for Stmt {
    fn can_cast(kind: SyntaxKind) -> bool {
        matches!(
            kind,
            CAPABILITY_DECL
                | IMPORT
                | FUNCTION
                | EXPR_STMT
                | ASSIGN_STMT
                | DESTRUCTURE_STMT
                | IF_STMT
                | WHILE_STMT
                | FOR_STMT
                | RETURN_STMT
                | THROW_STMT
                | TRY_STMT
                | BREAK_STMT
                | CONTINUE_STMT
                | NONLOCAL_STMT
        )
    }

    fn cast(node: SyntaxNode) -> Option<Self> {
        let stmt = match node.kind() {
            CAPABILITY_DECL => Stmt::Capability(CapabilityDecl(node)),
            IMPORT => Stmt::Import(Import(node)),
            FUNCTION => Stmt::Function(FunctionDef(node)),
            EXPR_STMT => Stmt::Expr(ExprStmt(node)),
            ASSIGN_STMT => Stmt::Assign(AssignStmt(node)),
            DESTRUCTURE_STMT => Stmt::Destructure(DestructureStmt(node)),
            IF_STMT => Stmt::If(IfStmt(node)),
            WHILE_STMT => Stmt::While(WhileStmt(node)),
            FOR_STMT => Stmt::For(ForStmt(node)),
            RETURN_STMT => Stmt::Return(ReturnStmt(node)),
            THROW_STMT => Stmt::Throw(ThrowStmt(node)),
            TRY_STMT => Stmt::Try(TryStmt(node)),
            BREAK_STMT => Stmt::Break(BreakStmt(node)),
            CONTINUE_STMT => Stmt::Continue(ContinueStmt(node)),
            NONLOCAL_STMT => Stmt::Nonlocal(NonlocalStmt(node)),
            _ => return None,
        };
        Some(stmt)
    }

    fn syntax(&self) -> &SyntaxNode {
        match self {
            Stmt::Capability(n) => n.syntax(),
            Stmt::Import(n) => n.syntax(),
            Stmt::Function(n) => n.syntax(),
            Stmt::Expr(n) => n.syntax(),
            Stmt::Assign(n) => n.syntax(),
            Stmt::Destructure(n) => n.syntax(),
            Stmt::If(n) => n.syntax(),
            Stmt::While(n) => n.syntax(),
            Stmt::For(n) => n.syntax(),
            Stmt::Return(n) => n.syntax(),
            Stmt::Throw(n) => n.syntax(),
            Stmt::Try(n) => n.syntax(),
            Stmt::Break(n) => n.syntax(),
            Stmt::Continue(n) => n.syntax(),
            Stmt::Nonlocal(n) => n.syntax(),
        }
    }
}

impl SourceFile {
    pub fn statements(&self) -> impl Iterator<Item = Stmt> {
        children(&self.0)
    }

    pub fn imports(&self) -> impl Iterator<Item = Import> {
        children(&self.0)
    }

    pub fn functions(&self) -> impl Iterator<Item = FunctionDef> {
        children(&self.0)
    }

    pub fn capabilities(&self) -> impl Iterator<Item = CapabilityDecl> {
        children(&self.0)
    }
}

impl CapabilityDecl {
    pub fn name(&self) -> Option<Name> {
        child(&self.0)
    }
    pub fn resources(&self) -> impl Iterator<Item = CapabilityResource> {
        children(&self.0)
    }
    pub fn allows(&self) -> impl Iterator<Item = CapabilityAllow> {
        children(&self.0)
    }
}

impl CapabilityResource {
    pub fn pattern_token(&self) -> Option<SyntaxToken> {
        token(&self.0, STRING)
    }
    pub fn pattern(&self) -> Option<String> {
        self.pattern_token().map(|t| string_value(t.text()))
    }
}

impl CapabilityAllow {
    pub fn permission_token(&self) -> Option<SyntaxToken> {
        token(&self.0, IDENT)
    }
    pub fn target_token(&self) -> Option<SyntaxToken> {
        token(&self.0, STRING)
    }
    pub fn target(&self) -> Option<String> {
        self.target_token().map(|t| string_value(t.text()))
    }
}

/// What an import names: a dotted module path or a URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ImportTarget {
    Path(ImportPath),
    Url(SyntaxToken),
}

impl Import {
    pub fn target(&self) -> Option<ImportTarget> {
        if let Some(path) = child::<ImportPath>(&self.0) {
            return Some(ImportTarget::Path(path));
        }
        token(&self.0, URL).map(ImportTarget::Url)
    }
    pub fn path(&self) -> Option<ImportPath> {
        child(&self.0)
    }
    pub fn url_token(&self) -> Option<SyntaxToken> {
        token(&self.0, URL)
    }
    pub fn alias(&self) -> Option<ImportAlias> {
        child(&self.0)
    }
    pub fn config(&self) -> Option<ImportConfig> {
        child(&self.0)
    }
    /// The dotted path or the URL as written.
    pub fn target_text(&self) -> Option<String> {
        match self.target()? {
            ImportTarget::Path(path) => Some(path.dotted()),
            ImportTarget::Url(url) => Some(url.text().to_string()),
        }
    }
}

impl ImportPath {
    /// The names between the dots, in order.
    pub fn segments(&self) -> impl Iterator<Item = SyntaxToken> {
        self.0
            .children_with_tokens()
            .filter_map(NodeOrToken::into_token)
            .filter(|t| t.kind() == IDENT)
    }
    pub fn dotted(&self) -> String {
        self.segments()
            .map(|t| t.text().to_string())
            .collect::<Vec<_>>()
            .join(".")
    }
}

impl ImportAlias {
    pub fn name(&self) -> Option<Name> {
        child(&self.0)
    }
}

impl ImportConfig {
    pub fn fields(&self) -> impl Iterator<Item = ObjectField> {
        children(&self.0)
    }
}

impl FunctionDef {
    pub fn name(&self) -> Option<Name> {
        child(&self.0)
    }
    pub fn param_list(&self) -> Option<ParamList> {
        child(&self.0)
    }
    pub fn params(&self) -> impl Iterator<Item = Param> {
        self.param_list().into_iter().flat_map(|l| l.params())
    }
    pub fn body(&self) -> Option<Block> {
        child(&self.0)
    }
    /// The `//` comment lines directly above the function, without the slashes.
    pub fn doc_comment(&self) -> Option<String> {
        doc_comment_above(&self.0)
    }
}

/// Comment lines that directly precede `node` (no blank line between), each on a line
/// of its own.
pub fn doc_comment_above(node: &SyntaxNode) -> Option<String> {
    let mut lines = Vec::new();
    let mut element = node.prev_sibling_or_token();
    while let Some(current) = element {
        let NodeOrToken::Token(t) = &current else {
            break;
        };
        match t.kind() {
            WHITESPACE => {
                let newlines = t.text().matches('\n').count();
                if newlines > 1 || (newlines == 0 && !lines.is_empty()) {
                    break;
                }
            }
            COMMENT => {
                // A comment that ends another statement's line documents that line.
                let on_own_line = match t.prev_sibling_or_token() {
                    None => true,
                    Some(NodeOrToken::Token(ws)) if ws.kind() == WHITESPACE => {
                        ws.text().contains('\n') || ws.prev_sibling_or_token().is_none()
                    }
                    Some(_) => false,
                };
                if !on_own_line {
                    break;
                }
                let text = t.text().trim_start_matches('/');
                lines.push(
                    text.strip_prefix(' ')
                        .unwrap_or(text)
                        .trim_end()
                        .to_string(),
                );
            }
            _ => break,
        }
        element = current.prev_sibling_or_token();
    }
    if lines.is_empty() {
        return None;
    }
    lines.reverse();
    Some(lines.join("\n"))
}

impl Name {
    pub fn ident_token(&self) -> Option<SyntaxToken> {
        token(&self.0, IDENT)
    }
    pub fn text(&self) -> String {
        self.ident_token()
            .map(|t| t.text().to_string())
            .unwrap_or_default()
    }
}

impl NameRef {
    pub fn ident_token(&self) -> Option<SyntaxToken> {
        token(&self.0, IDENT)
    }
    pub fn text(&self) -> String {
        self.ident_token()
            .map(|t| t.text().to_string())
            .unwrap_or_default()
    }
}

impl ParamList {
    pub fn params(&self) -> impl Iterator<Item = Param> {
        children(&self.0)
    }
}

impl Param {
    pub fn name(&self) -> Option<Name> {
        child(&self.0)
    }
    pub fn type_annotation(&self) -> Option<TypeAnnotation> {
        child(&self.0)
    }
}

impl TypeAnnotation {
    pub fn text(&self) -> Option<String> {
        token(&self.0, IDENT).map(|t| t.text().to_string())
    }
}

impl Block {
    pub fn statements(&self) -> impl Iterator<Item = Stmt> {
        children(&self.0)
    }
}

impl ExprStmt {
    pub fn expr(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl AssignStmt {
    /// The assigned place: a name, `a[i]` or `a.b`.
    pub fn target(&self) -> Option<Expr> {
        expr_in_slot(&self.0, &[EQ], 0)
    }
    pub fn value(&self) -> Option<Expr> {
        expr_in_slot(&self.0, &[EQ], 1)
    }
}

/// `[a, b]` or `{a, b}` on the left of a destructuring assignment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Pattern {
    Array(ArrayPattern),
    Object(ObjectPattern),
}

impl Pattern {
    pub fn names(&self) -> Vec<Name> {
        let node = match self {
            Pattern::Array(p) => p.syntax(),
            Pattern::Object(p) => p.syntax(),
        };
        children(node).collect()
    }
}

impl DestructureStmt {
    pub fn pattern(&self) -> Option<Pattern> {
        if let Some(p) = child::<ArrayPattern>(&self.0) {
            return Some(Pattern::Array(p));
        }
        child::<ObjectPattern>(&self.0).map(Pattern::Object)
    }
    pub fn value(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl ArrayPattern {
    pub fn names(&self) -> impl Iterator<Item = Name> {
        children(&self.0)
    }
}

impl ObjectPattern {
    pub fn names(&self) -> impl Iterator<Item = Name> {
        children(&self.0)
    }
}

impl IfStmt {
    pub fn condition(&self) -> Option<Expr> {
        child(&self.0)
    }
    pub fn then_block(&self) -> Option<Block> {
        child(&self.0)
    }
    pub fn elif_clauses(&self) -> impl Iterator<Item = ElifClause> {
        children(&self.0)
    }
    pub fn else_clause(&self) -> Option<ElseClause> {
        child(&self.0)
    }
}

impl ElifClause {
    pub fn condition(&self) -> Option<Expr> {
        child(&self.0)
    }
    pub fn block(&self) -> Option<Block> {
        child(&self.0)
    }
}

impl ElseClause {
    pub fn block(&self) -> Option<Block> {
        child(&self.0)
    }
}

impl WhileStmt {
    pub fn condition(&self) -> Option<Expr> {
        child(&self.0)
    }
    pub fn body(&self) -> Option<Block> {
        child(&self.0)
    }
}

impl ForStmt {
    pub fn variable(&self) -> Option<Name> {
        child(&self.0)
    }
    pub fn iterable(&self) -> Option<Expr> {
        child(&self.0)
    }
    pub fn body(&self) -> Option<Block> {
        child(&self.0)
    }
}

impl ReturnStmt {
    pub fn value(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl ThrowStmt {
    pub fn value(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl TryStmt {
    pub fn body(&self) -> Option<Block> {
        child(&self.0)
    }
    pub fn except_clauses(&self) -> impl Iterator<Item = ExceptClause> {
        children(&self.0)
    }
    pub fn finally_clause(&self) -> Option<FinallyClause> {
        child(&self.0)
    }
}

impl ExceptClause {
    /// The variable that receives the exception: `e` in `except (e)`.
    pub fn name(&self) -> Option<Name> {
        child(&self.0)
    }
    pub fn body(&self) -> Option<Block> {
        child(&self.0)
    }
}

impl FinallyClause {
    pub fn body(&self) -> Option<Block> {
        child(&self.0)
    }
}

impl NonlocalStmt {
    pub fn names(&self) -> impl Iterator<Item = Name> {
        children(&self.0)
    }
}

// ---------------------------------------------------------------------------------
// Expressions

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Expr {
    Literal(Literal),
    Path(PathExpr),
    Array(ArrayExpr),
    Object(ObjectExpr),
    Paren(ParenExpr),
    Call(CallExpr),
    Index(IndexExpr),
    Field(FieldExpr),
    Prefix(PrefixExpr),
    Bin(BinExpr),
    Ternary(TernaryExpr),
    Arrow(ArrowExpr),
}

impl AstNode for Expr {
    fn can_cast(kind: SyntaxKind) -> bool {
        matches!(
            kind,
            LITERAL
                | PATH_EXPR
                | ARRAY_EXPR
                | OBJECT_EXPR
                | PAREN_EXPR
                | CALL_EXPR
                | INDEX_EXPR
                | FIELD_EXPR
                | PREFIX_EXPR
                | BIN_EXPR
                | TERNARY_EXPR
                | ARROW_EXPR
        )
    }

    fn cast(node: SyntaxNode) -> Option<Self> {
        let expr = match node.kind() {
            LITERAL => Expr::Literal(Literal(node)),
            PATH_EXPR => Expr::Path(PathExpr(node)),
            ARRAY_EXPR => Expr::Array(ArrayExpr(node)),
            OBJECT_EXPR => Expr::Object(ObjectExpr(node)),
            PAREN_EXPR => Expr::Paren(ParenExpr(node)),
            CALL_EXPR => Expr::Call(CallExpr(node)),
            INDEX_EXPR => Expr::Index(IndexExpr(node)),
            FIELD_EXPR => Expr::Field(FieldExpr(node)),
            PREFIX_EXPR => Expr::Prefix(PrefixExpr(node)),
            BIN_EXPR => Expr::Bin(BinExpr(node)),
            TERNARY_EXPR => Expr::Ternary(TernaryExpr(node)),
            ARROW_EXPR => Expr::Arrow(ArrowExpr(node)),
            _ => return None,
        };
        Some(expr)
    }

    fn syntax(&self) -> &SyntaxNode {
        match self {
            Expr::Literal(n) => n.syntax(),
            Expr::Path(n) => n.syntax(),
            Expr::Array(n) => n.syntax(),
            Expr::Object(n) => n.syntax(),
            Expr::Paren(n) => n.syntax(),
            Expr::Call(n) => n.syntax(),
            Expr::Index(n) => n.syntax(),
            Expr::Field(n) => n.syntax(),
            Expr::Prefix(n) => n.syntax(),
            Expr::Bin(n) => n.syntax(),
            Expr::Ternary(n) => n.syntax(),
            Expr::Arrow(n) => n.syntax(),
        }
    }
}

impl Expr {
    /// The expression without any parentheses around it.
    pub fn unparenthesized(self) -> Option<Expr> {
        let mut expr = self;
        while let Expr::Paren(p) = &expr {
            expr = p.expr()?;
        }
        Some(expr)
    }
}

/// The value a literal token denotes.
#[derive(Debug, Clone, PartialEq)]
pub enum LiteralValue {
    Number(NumberValue),
    String(String),
    Bool(bool),
}

impl Literal {
    pub fn token(&self) -> Option<SyntaxToken> {
        self.0.first_token()
    }
    pub fn value(&self) -> Option<LiteralValue> {
        let token = self.token()?;
        let value = match token.kind() {
            NUMBER => LiteralValue::Number(number_value(token.text())),
            STRING => LiteralValue::String(string_value(token.text())),
            TRUE_KW => LiteralValue::Bool(true),
            FALSE_KW => LiteralValue::Bool(false),
            _ => return None,
        };
        Some(value)
    }
    pub fn is_string(&self) -> bool {
        self.token().is_some_and(|t| t.kind() == STRING)
    }
}

impl PathExpr {
    pub fn name_ref(&self) -> Option<NameRef> {
        child(&self.0)
    }
    pub fn name(&self) -> String {
        self.name_ref().map(|n| n.text()).unwrap_or_default()
    }
}

impl ArrayExpr {
    pub fn elements(&self) -> impl Iterator<Item = Expr> {
        children(&self.0)
    }
}

impl ObjectExpr {
    pub fn fields(&self) -> impl Iterator<Item = ObjectField> {
        children(&self.0)
    }
}

impl ObjectField {
    pub fn key_token(&self) -> Option<SyntaxToken> {
        self.0
            .children_with_tokens()
            .filter_map(NodeOrToken::into_token)
            .find(|t| matches!(t.kind(), IDENT | STRING))
    }
    /// The key as a string: the name, or what the string literal names
    /// ([`crate::text::object_key_value`]).
    pub fn key(&self) -> Option<String> {
        let token = self.key_token()?;
        Some(match token.kind() {
            STRING => crate::text::object_key_value(token.text()),
            _ => token.text().to_string(),
        })
    }
    pub fn value(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl ParenExpr {
    pub fn expr(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl CallExpr {
    pub fn callee(&self) -> Option<Expr> {
        child(&self.0)
    }
    pub fn arg_list(&self) -> Option<ArgList> {
        child(&self.0)
    }
    pub fn args(&self) -> impl Iterator<Item = Expr> {
        self.arg_list().into_iter().flat_map(|a| a.args())
    }
}

impl ArgList {
    pub fn args(&self) -> impl Iterator<Item = Expr> {
        children(&self.0)
    }
}

impl IndexExpr {
    pub fn base(&self) -> Option<Expr> {
        expr_in_slot(&self.0, &[L_BRACK], 0)
    }
    /// The index, unless this is a slice.
    pub fn index(&self) -> Option<Expr> {
        expr_in_slot(&self.0, &[L_BRACK], 1)
    }
    pub fn slice(&self) -> Option<Slice> {
        child(&self.0)
    }
}

impl Slice {
    pub fn start(&self) -> Option<Expr> {
        expr_in_slot(&self.0, &[COLON], 0)
    }
    pub fn end(&self) -> Option<Expr> {
        expr_in_slot(&self.0, &[COLON], 1)
    }
    pub fn step(&self) -> Option<Expr> {
        expr_in_slot(&self.0, &[COLON], 2)
    }
    /// Whether a second `:` is written (`a[::2]`, `a[1:2:]`).
    pub fn has_step(&self) -> bool {
        self.0
            .children_with_tokens()
            .filter(|e| e.kind() == COLON)
            .count()
            > 1
    }
}

impl FieldExpr {
    pub fn receiver(&self) -> Option<Expr> {
        child(&self.0)
    }
    pub fn name_ref(&self) -> Option<NameRef> {
        child(&self.0)
    }
    pub fn field_name(&self) -> Option<String> {
        self.name_ref().map(|n| n.text())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrefixOp {
    Not,
    Neg,
}

impl PrefixExpr {
    pub fn op(&self) -> Option<PrefixOp> {
        match self.0.first_token()?.kind() {
            BANG => Some(PrefixOp::Not),
            MINUS => Some(PrefixOp::Neg),
            _ => None,
        }
    }
    pub fn operand(&self) -> Option<Expr> {
        child(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Or,
    And,
    Eq,
    NotEq,
    Lt,
    Gt,
    LtEq,
    GtEq,
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Rem,
}

impl BinOp {
    /// The operator a token kind stands for (`||` → `Or`), as `BinExpr::op` reads it; also
    /// used by walks over the green tree.
    pub fn from_kind(kind: SyntaxKind) -> Option<BinOp> {
        let op = match kind {
            PIPE2 => BinOp::Or,
            AMP2 => BinOp::And,
            EQ2 => BinOp::Eq,
            NEQ => BinOp::NotEq,
            LT => BinOp::Lt,
            GT => BinOp::Gt,
            LTEQ => BinOp::LtEq,
            GTEQ => BinOp::GtEq,
            PLUS => BinOp::Add,
            MINUS => BinOp::Sub,
            STAR => BinOp::Mul,
            SLASH => BinOp::Div,
            SLASH2 => BinOp::FloorDiv,
            PERCENT => BinOp::Rem,
            _ => return None,
        };
        Some(op)
    }

    /// `==`, `!=`, `<`, `>`, `<=`, `>=`: they never chain in ML (`a < b < c` is
    /// `(a < b) < c`), unlike Python's.
    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinOp::Eq | BinOp::NotEq | BinOp::Lt | BinOp::Gt | BinOp::LtEq | BinOp::GtEq
        )
    }

    /// The operator as written in ML.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Or => "||",
            BinOp::And => "&&",
            BinOp::Eq => "==",
            BinOp::NotEq => "!=",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::LtEq => "<=",
            BinOp::GtEq => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Rem => "%",
        }
    }
}

impl BinExpr {
    pub fn op_token(&self) -> Option<SyntaxToken> {
        self.0
            .children_with_tokens()
            .filter_map(NodeOrToken::into_token)
            .find(|t| BinOp::from_kind(t.kind()).is_some())
    }
    pub fn op(&self) -> Option<BinOp> {
        BinOp::from_kind(self.op_token()?.kind())
    }
    pub fn lhs(&self) -> Option<Expr> {
        self.operand(0)
    }
    pub fn rhs(&self) -> Option<Expr> {
        self.operand(1)
    }
    fn operand(&self, wanted: usize) -> Option<Expr> {
        let mut slot = 0;
        for element in self.0.children_with_tokens() {
            match element {
                NodeOrToken::Token(t) if BinOp::from_kind(t.kind()).is_some() => slot += 1,
                NodeOrToken::Node(n) if slot == wanted => {
                    if let Some(e) = Expr::cast(n) {
                        return Some(e);
                    }
                }
                _ => {}
            }
        }
        None
    }
}

impl TernaryExpr {
    pub fn condition(&self) -> Option<Expr> {
        expr_in_slot(&self.0, &[QUESTION, COLON], 0)
    }
    pub fn then_branch(&self) -> Option<Expr> {
        expr_in_slot(&self.0, &[QUESTION, COLON], 1)
    }
    pub fn else_branch(&self) -> Option<Expr> {
        expr_in_slot(&self.0, &[QUESTION, COLON], 2)
    }
}

/// The body of an arrow function.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ArrowBody {
    Expr(Expr),
    Block(Block),
}

impl ArrowExpr {
    pub fn param_list(&self) -> Option<ParamList> {
        child(&self.0)
    }
    pub fn params(&self) -> impl Iterator<Item = Param> {
        self.param_list().into_iter().flat_map(|l| l.params())
    }
    pub fn body(&self) -> Option<ArrowBody> {
        if let Some(block) = child::<Block>(&self.0) {
            return Some(ArrowBody::Block(block));
        }
        child::<Expr>(&self.0).map(ArrowBody::Expr)
    }
}
