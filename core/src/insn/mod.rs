//! BPF instructions: decoding, encoding, and the opcode vocabulary.
//!
//! An instruction is 8 bytes: `code u8`, `dst:4 | src:4` (low nibble is `dst` in little-endian
//! objects, the high nibble in big-endian ones), `off s16`, `imm s32` in the object's byte
//! order. `LD_IMM64` takes two slots; the second carries the upper 32 bits of the constant.
//!
//! ```text
//!   code:  7   4 3  2 0           LD/LDX/ST/STX:  7  5 4 3 2 0
//!         +-----+--+---+                         +----+---+---+
//!         | op  |s |cls|  (ALU/ALU64/JMP/JMP32)  |mode|sz |cls|
//!         +-----+--+---+                         +----+---+---+
//! ```
//!
//! Reference: ../shared/spec/core-spec.md §5.6.

mod disasm;
pub mod opcode;
#[cfg(test)]
mod tests;

use crate::bytes::Endian;
use crate::error::{Error, Result};

pub use disasm::{disassemble, Disasm};
pub use opcode::{AluOp, Class, JmpOp, Mode, Size};

/// Index of an instruction slot within a section or program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct InsnIdx(pub u32);

/// The `imm` libbpf writes into a poisoned instruction (`0xbad2310`, "bad relo").
pub const POISON_IMM: i32 = 195_896_080;

/// One 8-byte instruction slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Insn {
    /// Opcode byte.
    pub code: u8,
    /// Destination register (0–15).
    pub dst: u8,
    /// Source register (0–15) or pseudo value.
    pub src: u8,
    /// Signed 16-bit offset.
    pub off: i16,
    /// Signed 32-bit immediate.
    pub imm: i32,
}

/// Size in bytes of one instruction slot.
pub const INSN_SIZE: usize = 8;

impl Insn {
    /// Decodes one slot from 8 bytes in byte order `endian`.
    pub fn decode(b: [u8; 8], endian: Endian) -> Insn {
        let (dst, src) = match endian {
            Endian::Little => (b[1] & 0x0f, b[1] >> 4),
            Endian::Big => (b[1] >> 4, b[1] & 0x0f),
        };
        Insn {
            code: b[0],
            dst,
            src,
            off: endian.u16([b[2], b[3]]) as i16,
            imm: endian.u32([b[4], b[5], b[6], b[7]]) as i32,
        }
    }

    /// Encodes the slot in byte order `endian`.
    pub fn encode(&self, endian: Endian) -> [u8; 8] {
        let regs = match endian {
            Endian::Little => (self.src << 4) | (self.dst & 0x0f),
            Endian::Big => (self.dst << 4) | (self.src & 0x0f),
        };
        let off = endian.u16_bytes(self.off as u16);
        let imm = endian.u32_bytes(self.imm as u32);
        [
            self.code, regs, off[0], off[1], imm[0], imm[1], imm[2], imm[3],
        ]
    }

    /// Decodes a whole instruction stream (its length must be a multiple of 8).
    pub fn decode_all(data: &[u8], endian: Endian) -> Result<Vec<Insn>> {
        if !data.len().is_multiple_of(INSN_SIZE) {
            return Err(Error::malformed(
                (data.len() - data.len() % INSN_SIZE) as u64,
                format!(
                    "code of {} bytes is not a whole number of 8-byte instructions",
                    data.len()
                ),
            ));
        }
        Ok(data
            .chunks_exact(INSN_SIZE)
            .map(|c| Insn::decode([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]], endian))
            .collect())
    }

    /// The instruction class (`code & 7`).
    pub fn class(&self) -> Class {
        Class::of(self.code)
    }

    /// Whether this is the first slot of `LD_IMM64` (`code == 0x18`).
    pub fn is_ld_imm64(&self) -> bool {
        self.code == opcode::LD_IMM64
    }

    /// Whether this is a call (`JMP | CALL`).
    pub fn is_call(&self) -> bool {
        self.code == opcode::CALL
    }

    /// Whether this is a bpf-to-bpf call (`call` with `src == BPF_PSEUDO_CALL`).
    pub fn is_pseudo_call(&self) -> bool {
        self.is_call() && self.src == opcode::PSEUDO_CALL
    }

    /// Whether this is `exit`.
    pub fn is_exit(&self) -> bool {
        self.code == opcode::EXIT
    }

    /// Whether this is libbpf's CO-RE poison: `call 0xbad2310`.
    pub fn is_poison(&self) -> bool {
        self.is_call() && self.imm == POISON_IMM
    }

    /// The poisoned slot libbpf substitutes (`call 195896080`, all else zero).
    pub fn poison() -> Insn {
        Insn {
            code: opcode::CALL,
            dst: 0,
            src: 0,
            off: 0,
            imm: POISON_IMM,
        }
    }

    /// For JMP/JMP32 jumps (not call/exit): the branch target as a slot index, given this
    /// slot's index. `gotol` (JMP32 JA) uses `imm`.
    pub fn jump_target(&self, at: usize) -> Option<i64> {
        let cls = self.class();
        if !matches!(cls, Class::Jmp | Class::Jmp32) {
            return None;
        }
        let op = JmpOp::of(self.code);
        if matches!(op, JmpOp::Call | JmpOp::Exit) {
            return None;
        }
        let delta = if cls == Class::Jmp32 && op == JmpOp::Ja {
            i64::from(self.imm)
        } else {
            i64::from(self.off)
        };
        Some(at as i64 + 1 + delta)
    }

    /// The 64-bit constant of an `LD_IMM64` pair.
    pub fn imm64(lo: &Insn, hi: &Insn) -> u64 {
        u64::from(lo.imm as u32) | (u64::from(hi.imm as u32) << 32)
    }

    /// The memory access size of a load/store, in bytes.
    pub fn mem_size(&self) -> u32 {
        Size::of(self.code).bytes()
    }
}
