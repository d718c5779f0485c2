//! The BPF opcode vocabulary: one table per field of the opcode byte.

/// `BPF_LD | BPF_IMM | BPF_DW`.
pub const LD_IMM64: u8 = 0x18;
/// `BPF_JMP | BPF_CALL`.
pub const CALL: u8 = 0x85;
/// `BPF_JMP | BPF_EXIT`.
pub const EXIT: u8 = 0x95;
/// `BPF_JMP | BPF_JA`.
pub const JA: u8 = 0x05;
/// `src` of a bpf-to-bpf call.
pub const PSEUDO_CALL: u8 = 1;
/// `src` of a kfunc call.
pub const PSEUDO_KFUNC_CALL: u8 = 2;
/// `src` of an `LD_IMM64` loading a map fd.
pub const PSEUDO_MAP_FD: u8 = 1;
/// `src` of an `LD_IMM64` loading a pointer into a map value.
pub const PSEUDO_MAP_VALUE: u8 = 2;
/// `src` of an `LD_IMM64` loading a kernel BTF object's address.
pub const PSEUDO_BTF_ID: u8 = 3;
/// `src` of an `LD_IMM64` loading a function address.
pub const PSEUDO_FUNC: u8 = 4;

macro_rules! field_enum {
    ($(#[$doc:meta])* $name:ident, $mask:expr, { $($(#[$vdoc:meta])* $var:ident = $val:expr),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $var,)*
            /// A value this table does not name.
            Unknown(u8),
        }

        impl $name {
            /// Decodes this field of an opcode byte.
            pub fn of(code: u8) -> $name {
                match code & $mask {
                    $(v if v == $val => $name::$var,)*
                    v => $name::Unknown(v),
                }
            }

            /// The bits of this field.
            pub fn bits(self) -> u8 {
                match self {
                    $($name::$var => $val,)*
                    $name::Unknown(v) => v,
                }
            }
        }
    };
}

field_enum!(
    /// Instruction class (`code & 0x07`).
    Class, 0x07, {
        /// `BPF_LD`.
        Ld = 0x00,
        /// `BPF_LDX`.
        Ldx = 0x01,
        /// `BPF_ST`.
        St = 0x02,
        /// `BPF_STX`.
        Stx = 0x03,
        /// `BPF_ALU` (32-bit).
        Alu = 0x04,
        /// `BPF_JMP`.
        Jmp = 0x05,
        /// `BPF_JMP32`.
        Jmp32 = 0x06,
        /// `BPF_ALU64`.
        Alu64 = 0x07,
    }
);

field_enum!(
    /// ALU operation (`code & 0xf0` for ALU/ALU64).
    AluOp, 0xf0, {
        /// `+=`
        Add = 0x00,
        /// `-=`
        Sub = 0x10,
        /// `*=`
        Mul = 0x20,
        /// `/=` (signed with `off == 1`)
        Div = 0x30,
        /// `|=`
        Or = 0x40,
        /// `&=`
        And = 0x50,
        /// `<<=`
        Lsh = 0x60,
        /// `>>=`
        Rsh = 0x70,
        /// `= -`
        Neg = 0x80,
        /// `%=` (signed with `off == 1`)
        Mod = 0x90,
        /// `^=`
        Xor = 0xa0,
        /// `=` (sign-extending with `off` 8/16/32)
        Mov = 0xb0,
        /// `s>>=`
        Arsh = 0xc0,
        /// byte swap
        End = 0xd0,
    }
);

field_enum!(
    /// Jump operation (`code & 0xf0` for JMP/JMP32).
    JmpOp, 0xf0, {
        /// `goto`
        Ja = 0x00,
        /// `==`
        Jeq = 0x10,
        /// `>`
        Jgt = 0x20,
        /// `>=`
        Jge = 0x30,
        /// `&`
        Jset = 0x40,
        /// `!=`
        Jne = 0x50,
        /// `s>`
        Jsgt = 0x60,
        /// `s>=`
        Jsge = 0x70,
        /// `call`
        Call = 0x80,
        /// `exit`
        Exit = 0x90,
        /// `<`
        Jlt = 0xa0,
        /// `<=`
        Jle = 0xb0,
        /// `s<`
        Jslt = 0xc0,
        /// `s<=`
        Jsle = 0xd0,
        /// `may_goto`
        Jcond = 0xe0,
    }
);

field_enum!(
    /// Memory access size (`code & 0x18`).
    Size, 0x18, {
        /// 4 bytes.
        W = 0x00,
        /// 2 bytes.
        H = 0x08,
        /// 1 byte.
        B = 0x10,
        /// 8 bytes.
        Dw = 0x18,
    }
);

field_enum!(
    /// Load/store mode (`code & 0xe0`).
    Mode, 0xe0, {
        /// immediate (`LD_IMM64`)
        Imm = 0x00,
        /// legacy packet access, absolute
        Abs = 0x20,
        /// legacy packet access, indirect
        Ind = 0x40,
        /// memory
        Mem = 0x60,
        /// sign-extending load (cpu v4)
        Memsx = 0x80,
        /// atomic read-modify-write
        Atomic = 0xc0,
    }
);

impl Size {
    /// Width in bytes.
    pub fn bytes(self) -> u32 {
        match self {
            Size::W => 4,
            Size::H => 2,
            Size::B => 1,
            Size::Dw => 8,
            Size::Unknown(_) => 0,
        }
    }

    /// The size field for a width in bytes.
    pub fn from_bytes(n: u32) -> Option<Size> {
        match n {
            1 => Some(Size::B),
            2 => Some(Size::H),
            4 => Some(Size::W),
            8 => Some(Size::Dw),
            _ => None,
        }
    }
}

impl AluOp {
    /// The C-like compound operator (`+=`), for the binary operations.
    pub fn symbol(self) -> Option<&'static str> {
        Some(match self {
            AluOp::Add => "+=",
            AluOp::Sub => "-=",
            AluOp::Mul => "*=",
            AluOp::Div => "/=",
            AluOp::Or => "|=",
            AluOp::And => "&=",
            AluOp::Lsh => "<<=",
            AluOp::Rsh => ">>=",
            AluOp::Mod => "%=",
            AluOp::Xor => "^=",
            AluOp::Mov => "=",
            AluOp::Arsh => "s>>=",
            AluOp::Neg | AluOp::End | AluOp::Unknown(_) => return None,
        })
    }
}

impl JmpOp {
    /// The comparison operator of a conditional jump.
    pub fn symbol(self) -> Option<&'static str> {
        Some(match self {
            JmpOp::Jeq => "==",
            JmpOp::Jgt => ">",
            JmpOp::Jge => ">=",
            JmpOp::Jset => "&",
            JmpOp::Jne => "!=",
            JmpOp::Jsgt => "s>",
            JmpOp::Jsge => "s>=",
            JmpOp::Jlt => "<",
            JmpOp::Jle => "<=",
            JmpOp::Jslt => "s<",
            JmpOp::Jsle => "s<=",
            _ => return None,
        })
    }

    /// Whether this is a two-way conditional jump.
    pub fn is_conditional(self) -> bool {
        self.symbol().is_some()
    }
}
