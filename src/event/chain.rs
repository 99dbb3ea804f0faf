//! The hash chain, walked one place at a time: [`ChainCursor`] is the one walker that
//! the log's append (a line that claims its place), `verify` (every stored row) and an
//! export check (every exported line) share. It knows seqs, hashes and bodies; what a
//! break means to the user is each caller's to say.

use super::{Hash, chain_hash};

/// A position in the chain: the seq the next event takes and the hash it links to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainCursor {
    next_seq: u64,
    prev: Hash,
}

/// Why a row or line does not continue the chain at a cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainBreak {
    /// It sits at another seq than the next one.
    Seq {
        /// The seq the chain continues at.
        expected: u64,
        /// The seq the row or line has (`None`: it carries none).
        found: Option<u64>,
    },
    /// Its previous hash is not the hash of the event before it.
    PrevHash,
    /// Its hash does not follow from its content and place.
    Hash,
}

impl Default for ChainCursor {
    fn default() -> ChainCursor {
        ChainCursor::GENESIS
    }
}

impl ChainCursor {
    /// Before the first event.
    pub const GENESIS: ChainCursor = ChainCursor { next_seq: 1, prev: Hash::GENESIS };

    /// Just after the event at `seq` whose hash is `hash` (seq 0: an empty log).
    pub fn after(seq: u64, hash: Hash) -> ChainCursor {
        ChainCursor { next_seq: seq + 1, prev: hash }
    }

    /// The seq the next event takes.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// The hash the next event links to.
    pub fn prev(&self) -> Hash {
        self.prev
    }

    /// How many events lie behind the cursor.
    pub fn count(&self) -> u64 {
        self.next_seq - 1
    }

    /// The hash `body` takes at the next place.
    pub fn hash_of(&self, body: &str) -> Hash {
        chain_hash(self.prev, self.next_seq, body)
    }

    /// Checks that a row at `seq` holding `body` with stored `hash` is the next event,
    /// and moves past it.
    pub fn step(&mut self, seq: u64, body: &str, hash: Option<Hash>) -> Result<Hash, ChainBreak> {
        if seq != self.next_seq {
            return Err(ChainBreak::Seq { expected: self.next_seq, found: Some(seq) });
        }
        match hash {
            Some(hash) if hash == self.hash_of(body) => {
                self.advance(hash);
                Ok(hash)
            }
            _ => Err(ChainBreak::Hash),
        }
    }

    /// Checks the chain fields a line claims (an export line) against the next place:
    /// its seq and its previous hash. Its own hash is checked by [`ChainCursor::step`]
    /// once its body is known.
    pub fn claims(&self, seq: Option<u64>, prev: Option<Hash>) -> Result<(), ChainBreak> {
        if seq != Some(self.next_seq) {
            return Err(ChainBreak::Seq { expected: self.next_seq, found: seq });
        }
        if prev != Some(self.prev) {
            return Err(ChainBreak::PrevHash);
        }
        Ok(())
    }

    /// Moves past the next event, whose hash is `hash`.
    pub fn advance(&mut self, hash: Hash) {
        self.prev = hash;
        self.next_seq += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_accepts_only_the_next_row_with_its_own_hash() {
        let mut cursor = ChainCursor::GENESIS;
        let first = chain_hash(Hash::GENESIS, 1, "a");
        assert_eq!(cursor.step(2, "a", Some(first)), Err(ChainBreak::Seq { expected: 1, found: Some(2) }));
        assert_eq!(cursor.step(1, "b", Some(first)), Err(ChainBreak::Hash));
        assert_eq!(cursor.step(1, "a", Some(first)), Ok(first));
        assert_eq!(cursor, ChainCursor::after(1, first));
        assert_eq!(cursor.claims(Some(2), Some(Hash::GENESIS)), Err(ChainBreak::PrevHash));
        assert_eq!(cursor.claims(Some(2), Some(first)), Ok(()));
        assert_eq!(cursor.count(), 1);
    }
}
