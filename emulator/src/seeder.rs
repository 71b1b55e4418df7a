//! The seeded generator of ids and secrets behind every seeded world (CSP in `world`, Cloud
//! Director in `vcd_world`).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Ids and names drawn from one seeded generator, so `--seed` reproduces a whole organization.
pub struct Seeder {
    rng: StdRng,
}

impl Seeder {
    pub fn new(seed: u64) -> Self {
        Seeder { rng: StdRng::seed_from_u64(seed) }
    }

    pub(crate) fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    pub fn uuid(&mut self) -> String {
        let b: [u8; 16] = self.rng.gen();
        uuid::Builder::from_random_bytes(b).into_uuid().to_string()
    }

    pub(crate) fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len).map(|_| ALPHABET[self.rng.gen_range(0..ALPHABET.len())] as char).collect()
    }
}
