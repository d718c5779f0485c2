//! Disassembly in llvm-objdump's BPF syntax (LLVM 19: C-like statements, hexadecimal
//! immediates), e.g. `r0 = *(u32 *)(r1 + 0x8)`, `if r1 == 0x0 goto +0x3`, `r1 = 0x0 ll`.

use std::fmt::Write;

use super::opcode::{AluOp, Class, JmpOp, Mode, Size};
use super::Insn;

/// The text of one instruction and the number of slots it occupies (2 for `LD_IMM64`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disasm {
    /// llvm-objdump-style text.
    pub text: String,
    /// Slots consumed (1, or 2 for `LD_IMM64`).
    pub slots: usize,
}

/// Signed hexadecimal as LLVM prints immediates: `0x10`, `-0x4`.
fn hex(v: i64) -> String {
    if v < 0 {
        format!("-{:#x}", v.unsigned_abs())
    } else {
        format!("{v:#x}")
    }
}

fn reg(n: u8, wide: bool) -> String {
    format!("{}{n}", if wide { 'r' } else { 'w' })
}

fn mem_ty(size: Size, signed: bool) -> String {
    let bits = size.bytes() * 8;
    format!("{}{bits}", if signed { 's' } else { 'u' })
}

/// `(r1 + 0x8)` / `(r10 - 0x10)`.
fn addr(base: u8, off: i16) -> String {
    if off < 0 {
        format!("(r{base} - {:#x})", i32::from(off).unsigned_abs())
    } else {
        format!("(r{base} + {:#x})", off)
    }
}

/// Disassembles the instruction at `at` of `insns`.
pub fn disassemble(insns: &[Insn], at: usize) -> Disasm {
    let Some(&i) = insns.get(at) else {
        return Disasm {
            text: "<out of range>".into(),
            slots: 1,
        };
    };
    let one = |text: String| Disasm { text, slots: 1 };
    match i.class() {
        Class::Alu | Class::Alu64 => one(alu(&i)),
        Class::Jmp | Class::Jmp32 => one(jmp(&i)),
        Class::Ldx => {
            let mode = Mode::of(i.code);
            let signed = mode == Mode::Memsx;
            if !matches!(mode, Mode::Mem | Mode::Memsx) {
                return one(unknown(&i));
            }
            one(format!(
                "r{} = *({} *){}",
                i.dst,
                mem_ty(Size::of(i.code), signed),
                addr(i.src, i.off)
            ))
        }
        Class::St if Mode::of(i.code) == Mode::Mem => one(format!(
            "*({} *){} = {}",
            mem_ty(Size::of(i.code), false),
            addr(i.dst, i.off),
            hex(i64::from(i.imm))
        )),
        Class::Stx => match Mode::of(i.code) {
            Mode::Mem => one(format!(
                "*({} *){} = r{}",
                mem_ty(Size::of(i.code), false),
                addr(i.dst, i.off),
                i.src
            )),
            Mode::Atomic => one(atomic(&i)),
            _ => one(unknown(&i)),
        },
        Class::Ld => match Mode::of(i.code) {
            Mode::Imm if Size::of(i.code) == Size::Dw => {
                let hi = insns.get(at + 1).copied().unwrap_or_default();
                let v = Insn::imm64(&i, &hi) as i64;
                Disasm {
                    text: format!("r{} = {} ll", i.dst, hex(v)),
                    slots: 2,
                }
            }
            Mode::Abs => one(format!(
                "r0 = *({} *)skb[{}]",
                mem_ty(Size::of(i.code), false),
                hex(i64::from(i.imm))
            )),
            Mode::Ind => one(format!(
                "r0 = *({} *)skb[r{}]",
                mem_ty(Size::of(i.code), false),
                i.src
            )),
            _ => one(unknown(&i)),
        },
        _ => one(unknown(&i)),
    }
}

fn unknown(i: &Insn) -> String {
    format!("<unknown opcode {:#04x}>", i.code)
}

fn alu(i: &Insn) -> String {
    let wide = i.class() == Class::Alu64;
    let d = reg(i.dst, wide);
    let uses_reg = i.code & 0x08 != 0;
    let src = if uses_reg {
        reg(i.src, wide)
    } else {
        hex(i64::from(i.imm))
    };
    let op = AluOp::of(i.code);
    match op {
        AluOp::Neg => format!("{d} = -{d}"),
        AluOp::End => {
            // LLVM prints byte swaps on 64-bit register names whatever the class.
            let d = reg(i.dst, true);
            let kind = if wide {
                "bswap"
            } else if uses_reg {
                "be"
            } else {
                "le"
            };
            format!("{d} = {kind}{} {d}", i.imm)
        }
        AluOp::Mov if uses_reg && i.off != 0 => format!("{d} = (s{}){}", i.off, reg(i.src, wide)),
        AluOp::Div | AluOp::Mod if i.off == 1 => {
            let sym = if op == AluOp::Div { "s/=" } else { "s%=" };
            format!("{d} {sym} {src}")
        }
        _ => match op.symbol() {
            Some(sym) => format!("{d} {sym} {src}"),
            None => unknown(i),
        },
    }
}

fn jmp(i: &Insn) -> String {
    let wide = i.class() == Class::Jmp;
    let op = JmpOp::of(i.code);
    let target = |delta: i64| {
        if delta < 0 {
            hex(delta)
        } else {
            format!("+{}", hex(delta))
        }
    };
    match op {
        JmpOp::Ja if wide => format!("goto {}", target(i64::from(i.off))),
        JmpOp::Ja => format!("gotol {}", target(i64::from(i.imm))),
        JmpOp::Call => format!("call {}", hex(i64::from(i.imm))),
        JmpOp::Exit => "exit".into(),
        JmpOp::Jcond => format!("may_goto {}", target(i64::from(i.off))),
        _ => match op.symbol() {
            Some(sym) => {
                let rhs = if i.code & 0x08 != 0 {
                    reg(i.src, wide)
                } else {
                    hex(i64::from(i.imm))
                };
                let mut s = String::new();
                let _ = write!(
                    s,
                    "if {} {sym} {rhs} goto {}",
                    reg(i.dst, wide),
                    target(i64::from(i.off))
                );
                s
            }
            None => unknown(i),
        },
    }
}

fn atomic(i: &Insn) -> String {
    let size = Size::of(i.code);
    let wide = size == Size::Dw;
    let bits = if wide { 64 } else { 32 };
    let ty = mem_ty(size, false);
    let at = addr(i.dst, i.off);
    let s = reg(i.src, wide);
    const FETCH: i32 = 0x01;
    let op = i.imm & !FETCH;
    let fetch = i.imm & FETCH != 0;
    let name = match op {
        0x00 => "add",
        0x40 => "or",
        0x50 => "and",
        0xa0 => "xor",
        _ => "",
    };
    match (i.imm, name) {
        (0xe1, _) => format!(
            "{s} = xchg{}_{bits}({} + {:#x}, {s})",
            if wide { "" } else { "32" },
            reg(i.dst, true),
            i.off
        ),
        (0xf1, _) => {
            let r0 = reg(0, wide);
            format!(
                "{r0} = cmpxchg{}_{bits}({} + {:#x}, {r0}, {s})",
                if wide { "" } else { "32" },
                reg(i.dst, true),
                i.off
            )
        }
        (_, "") => unknown(i),
        (_, n) if fetch => format!("{s} = atomic_fetch_{n}(({ty} *){at}, {s})"),
        (_, n) => {
            let sym = match n {
                "add" => "+=",
                "or" => "|=",
                "and" => "&=",
                _ => "^=",
            };
            format!("lock *({ty} *){at} {sym} {s}")
        }
    }
}
