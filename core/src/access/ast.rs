//! The syntax tree of a question: statements of a BPF C function body, the part of C that
//! CO-RE accesses are written in.

/// A type as written: `struct task_struct`, `const u64`, `unsigned long`, `pid_t`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeSpec {
    /// `struct NAME` / `union NAME`, possibly with a definition.
    Record {
        /// `union` rather than `struct`.
        union: bool,
        /// The tag; empty for an anonymous definition.
        name: String,
        /// The body, when defined here.
        def: Option<RecordDef>,
    },
    /// `enum NAME`, possibly with a definition.
    Enum {
        /// The tag; empty for an anonymous definition.
        name: String,
        /// The enumerators, when defined here.
        def: Option<Vec<Enumerator>>,
    },
    /// A typedef name.
    Named(String),
    /// A builtin integer type, by clang's spelling (`unsigned long`, `char`, `_Bool`).
    Builtin(&'static str),
    /// `void`.
    Void,
}

/// A struct or union body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordDef {
    /// The members, in order.
    pub members: Vec<MemberDecl>,
    /// `__attribute__((packed))`.
    pub packed: bool,
    /// `__attribute__((preserve_access_index))`: direct member accesses are relocated.
    pub preserve_access: bool,
    /// Where the body starts.
    pub pos: usize,
}

/// One member of a struct or union definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberDecl {
    /// Its type (an anonymous struct/union member has no declarator name).
    pub base: DeclBase,
    /// The declarator.
    pub decl: Declarator,
    /// Bitfield width.
    pub bits: Option<u32>,
}

/// An enumerator and its value, if written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enumerator {
    /// Its name.
    pub name: String,
    /// `= value`, if given (negative values allowed).
    pub value: Option<i64>,
    /// Where its name is.
    pub pos: usize,
}

/// The specifier part of a declaration: qualifiers and a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclBase {
    /// The type.
    pub spec: TypeSpec,
    /// `const` on it.
    pub is_const: bool,
    /// `volatile` on it.
    pub is_volatile: bool,
    /// Where the specifier starts.
    pub pos: usize,
}

/// What a declarator adds to its base type: pointers, then array dimensions (outermost
/// first), as in `struct foo *name[2][3]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Declarator {
    /// The declared name, if any (abstract declarators in casts and type arguments have none).
    pub name: Option<String>,
    /// Where the name is (or where the declarator starts).
    pub pos: usize,
    /// Pointer levels.
    pub ptrs: u32,
    /// Array dimensions, outermost first; `None` for `[]`.
    pub dims: Vec<Option<u64>>,
}

/// A type name: base and abstract declarator (`struct task_struct *`, `int[4]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeName {
    /// The base.
    pub base: DeclBase,
    /// Pointers and dimensions.
    pub decl: Declarator,
}

/// A macro or function argument: a type or an expression (C macros take either).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// A type.
    Type(TypeName),
    /// An expression.
    Expr(Expr),
}

impl Arg {
    /// Where the argument starts.
    pub fn pos(&self) -> usize {
        match self {
            Arg::Type(t) => t.base.pos,
            Arg::Expr(e) => e.pos(),
        }
    }
}

/// An expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A variable or enumerator.
    Ident {
        /// The name.
        name: String,
        /// Where.
        pos: usize,
    },
    /// An integer literal.
    Int {
        /// Its value.
        value: u64,
        /// Where.
        pos: usize,
    },
    /// `base.name` or `base->name`.
    Member {
        /// The object or pointer.
        base: Box<Expr>,
        /// The member.
        name: String,
        /// `->` rather than `.`.
        arrow: bool,
        /// Where the member name is.
        pos: usize,
    },
    /// `base[index]`.
    Index {
        /// The array or pointer.
        base: Box<Expr>,
        /// The index.
        index: Box<Expr>,
        /// Where `[` is.
        pos: usize,
    },
    /// `name(args)`: a CO-RE macro, a builtin or a helper.
    Call {
        /// The callee.
        name: String,
        /// The arguments.
        args: Vec<Arg>,
        /// Where the name is.
        pos: usize,
    },
    /// A prefix operator: `&`, `*`, `!`, `~`, `-`, `+`.
    Unary {
        /// The operator.
        op: &'static str,
        /// The operand.
        e: Box<Expr>,
        /// Where the operator is.
        pos: usize,
    },
    /// A binary operator (arithmetic, comparison, logical, `,`).
    Binary {
        /// The operator.
        op: &'static str,
        /// Left operand.
        l: Box<Expr>,
        /// Right operand.
        r: Box<Expr>,
        /// Where the operator is.
        pos: usize,
    },
    /// `l = r` (and compound assignments).
    Assign {
        /// The operator.
        op: &'static str,
        /// Target.
        l: Box<Expr>,
        /// Value.
        r: Box<Expr>,
        /// Where the operator is.
        pos: usize,
    },
    /// `c ? a : b`.
    Cond {
        /// Condition.
        c: Box<Expr>,
        /// Value if true.
        a: Box<Expr>,
        /// Value if false.
        b: Box<Expr>,
        /// Where `?` is.
        pos: usize,
    },
    /// `(type)e`.
    Cast {
        /// The type.
        ty: TypeName,
        /// The operand.
        e: Box<Expr>,
        /// Where `(` is.
        pos: usize,
    },
    /// `sizeof(type)` or `sizeof expr`.
    Sizeof {
        /// The operand.
        arg: Box<Arg>,
        /// Where `sizeof` is.
        pos: usize,
    },
}

impl Expr {
    /// Where the expression starts (for error messages).
    pub fn pos(&self) -> usize {
        match self {
            Expr::Ident { pos, .. }
            | Expr::Int { pos, .. }
            | Expr::Call { pos, .. }
            | Expr::Unary { pos, .. }
            | Expr::Cast { pos, .. }
            | Expr::Sizeof { pos, .. } => *pos,
            Expr::Member { base, .. }
            | Expr::Index { base, .. }
            | Expr::Binary { l: base, .. }
            | Expr::Assign { l: base, .. }
            | Expr::Cond { c: base, .. } => base.pos(),
        }
    }
}

/// A statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stmt {
    /// A declaration: variables, a typedef, or just a struct/union/enum definition.
    Decl {
        /// The specifier.
        base: DeclBase,
        /// `typedef`.
        is_typedef: bool,
        /// The declarators, each with an initializer if given.
        decls: Vec<(Declarator, Option<Expr>)>,
    },
    /// An expression statement.
    Expr(Expr),
    /// `if (cond) then [else els]`.
    If {
        /// The condition.
        cond: Expr,
        /// The taken branch.
        then: Box<Stmt>,
        /// The other branch.
        els: Option<Box<Stmt>>,
    },
    /// `{ ... }`.
    Block(Vec<Stmt>),
    /// `return [e];`.
    Return(Option<Expr>),
}
