//! Saved CSP API tokens, one per server, for every front end: the file the PowerShell module
//! has always used (`$XDG_CONFIG_HOME` or `~/.config`, then `vcs-native/credentials.json`, a JSON
//! object `{"server": "token"}` with servers matched case-insensitively), kept safe here:
//! mode 0600 in a 0700 folder, symbolic links refused, every write atomic (temporary file in the
//! same folder, fsync, rename) under a lock so concurrent saves are all kept, and a corrupt file
//! reported with its path and left as it is.
//!
//! Windows: the module protects each token there with DPAPI; this store does not read or write
//! those yet and says so. No OS keychain yet: the module reads only this file today, and a
//! keychain backend would show its name in [`StoreListing::backend`].

use crate::error::{Error, ErrorCategory, Result};
use crate::secret::Secret;
use serde::Serialize;
use serde_json::{Map, Value};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Largest saved-token file read; thousands of servers fit in far less.
pub const MAX_STORE_BYTES: u64 = 1024 * 1024;

/// The saved tokens at one place. Cheap; holds no token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenStore {
    file: PathBuf,
}

/// One saved token, as listed: never the token itself.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SavedToken {
    pub server: String,
    pub api_token_preview: String,
}

/// What `list` answers: where the tokens are kept and which servers have one.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StoreListing {
    /// `file`: the only backend so far (an OS keychain would show its name here).
    pub backend: &'static str,
    pub location: String,
    pub tokens: Vec<SavedToken>,
}

impl TokenStore {
    /// The store at `file`.
    pub fn at(file: impl Into<PathBuf>) -> TokenStore {
        TokenStore { file: file.into() }
    }

    /// The store the module reads: `$XDG_CONFIG_HOME/vcs-native/credentials.json`, else
    /// `~/.config/vcs-native/credentials.json` (`%APPDATA%\vcs-native\credentials.json` on Windows).
    pub fn default_location() -> Result<TokenStore> {
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let root = if cfg!(windows) { env("APPDATA") } else { env("XDG_CONFIG_HOME").or_else(|| env("HOME").map(|h| h.join(".config"))) };
        let root = root.ok_or_else(|| {
            Error::new(ErrorCategory::InvalidArgument, "no place for saved tokens: neither XDG_CONFIG_HOME nor HOME is set")
        })?;
        Ok(TokenStore::at(root.join("vcs-native").join("credentials.json")))
    }

    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Saves `token` for `server`, replacing what was saved for the same server.
    pub fn save(&self, server: &str, token: &Secret) -> Result<()> {
        let server = check_server(server)?;
        if token.is_empty() {
            return Err(Error::invalid("apiToken", "must not be empty"));
        }
        supported()?;
        self.update(|entries| {
            let same: Vec<String> = entries.keys().filter(|k| same_server(k, &server)).cloned().collect();
            for k in same {
                entries.remove(&k);
            }
            entries.insert(server.clone(), Value::String(token.expose().to_string()));
            Ok(())
        })
    }

    /// The token saved for `server`, if any: the key that equals it ignoring case, else one
    /// naming the same URL (`127.0.0.1:9` and `https://127.0.0.1:9`).
    pub fn load(&self, server: &str) -> Result<Option<Secret>> {
        let server = check_server(server)?;
        supported()?;
        let entries = self.read()?;
        let exact = entries.iter().find(|(k, v)| k.eq_ignore_ascii_case(&server) && v.is_string());
        let found = exact.or_else(|| entries.iter().find(|(k, v)| same_server(k, &server) && v.is_string()));
        Ok(found.and_then(|(_, v)| v.as_str()).map(Secret::new))
    }

    /// Servers with a saved token, sorted, each with a preview of its token.
    pub fn list(&self) -> Result<StoreListing> {
        supported()?;
        let mut tokens: Vec<SavedToken> = self
            .read()?
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|t| SavedToken { server: k.clone(), api_token_preview: Secret::new(t).preview() }))
            .collect();
        tokens.sort_by_key(|t| t.server.to_lowercase());
        Ok(StoreListing { backend: "file", location: self.file.display().to_string(), tokens })
    }

    /// Forgets the token saved for `server`; false if none was.
    pub fn forget(&self, server: &str) -> Result<bool> {
        let server = check_server(server)?;
        supported()?;
        if self.read()?.is_empty() {
            return Ok(false);
        }
        let mut removed = false;
        self.update(|entries| {
            let same: Vec<String> = entries.keys().filter(|k| same_server(k, &server)).cloned().collect();
            removed = !same.is_empty();
            for k in same {
                entries.remove(&k);
            }
            Ok(())
        })?;
        Ok(removed)
    }

    fn folder(&self) -> Result<&Path> {
        self.file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .ok_or_else(|| Error::invalid("file", format!("{} has no folder", self.file.display())))
    }

    fn corrupt(&self, why: impl std::fmt::Display) -> Error {
        let mut e = Error::new(
            ErrorCategory::InvalidArgument,
            format!("the saved-token file {} {why}; it was left as it is: repair it, or move it away to start afresh", self.file.display()),
        );
        e.field = Some("savedTokenFile".into());
        e
    }

    /// The entries on disk; none when there is no file yet.
    fn read(&self) -> Result<Map<String, Value>> {
        let meta = match std::fs::symlink_metadata(&self.file) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Map::new()),
            Err(e) => return Err(self.corrupt(format!("cannot be read: {e}"))),
        };
        if meta.file_type().is_symlink() {
            return Err(refused_link(&self.file));
        }
        if !meta.is_file() {
            return Err(self.corrupt("is not a regular file"));
        }
        if meta.len() > MAX_STORE_BYTES {
            return Err(self.corrupt(format!("is {} bytes, more than the 1 MiB such a file may have", meta.len())));
        }
        let file = open_no_follow(&self.file, OpenOptions::new().read(true)).map_err(|e| self.corrupt(format!("cannot be opened: {e}")))?;
        let mut bytes = Vec::new();
        file.take(MAX_STORE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| self.corrupt(format!("cannot be read: {e}")))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Map::new());
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(self.corrupt("is not a JSON object of server names and tokens")),
            Err(e) => Err(self.corrupt(format!("is not valid JSON ({e})"))),
        }
    }

    /// Read, change and write back under the folder's lock, so saves from many threads and
    /// processes at once are all kept; the write replaces the file in one rename.
    fn update(&self, change: impl FnOnce(&mut Map<String, Value>) -> Result<()>) -> Result<()> {
        let folder = self.folder()?;
        make_private_folder(folder)?;
        let lock_path = folder.join(format!("{}.lock", self.file.file_name().and_then(|n| n.to_str()).unwrap_or("credentials.json")));
        let lock = open_no_follow(&lock_path, OpenOptions::new().read(true).write(true).create(true))
            .map_err(|e| io_error(&lock_path, "cannot open the lock file", e))?;
        lock.lock().map_err(|e| io_error(&lock_path, "cannot lock", e))?;
        let mut entries = self.read()?;
        change(&mut entries)?;
        let text = serde_json::to_string_pretty(&Value::Object(entries)).map_err(|e| Error::internal(e.to_string()))?;
        let result = self.replace(folder, text.as_bytes());
        let _ = lock.unlock();
        result
    }

    fn replace(&self, folder: &Path, bytes: &[u8]) -> Result<()> {
        let name = self.file.file_name().and_then(|n| n.to_str()).unwrap_or("credentials.json");
        let temp = folder.join(format!(".{name}.{}.{:08x}.tmp", std::process::id(), rand::random::<u32>()));
        let written = (|| -> std::io::Result<()> {
            let mut f = open_no_follow(&temp, OpenOptions::new().write(true).create_new(true))?;
            f.write_all(bytes)?;
            f.write_all(b"\n")?;
            f.sync_all()
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(io_error(&temp, "cannot write", e));
        }
        if std::fs::symlink_metadata(&self.file).is_ok_and(|m| m.file_type().is_symlink()) {
            let _ = std::fs::remove_file(&temp);
            return Err(refused_link(&self.file));
        }
        if let Err(e) = std::fs::rename(&temp, &self.file) {
            let _ = std::fs::remove_file(&temp);
            return Err(io_error(&self.file, "cannot replace", e));
        }
        #[cfg(unix)]
        if let Ok(dir) = File::open(folder) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

fn check_server(server: &str) -> Result<String> {
    let s = server.trim();
    if s.is_empty() {
        return Err(Error::invalid("server", "must not be blank"));
    }
    crate::connect::normalize_server(s)?;
    Ok(s.to_string())
}

/// Two names of one server: equal ignoring case, or the same URL once normalized.
fn same_server(key: &str, server: &str) -> bool {
    key.eq_ignore_ascii_case(server)
        || matches!((crate::connect::normalize_server(key), crate::connect::normalize_server(server)), (Ok(a), Ok(b)) if a.eq_ignore_ascii_case(&b))
}

fn supported() -> Result<()> {
    if cfg!(windows) {
        return Err(Error::new(
            ErrorCategory::InvalidArgument,
            "saved API tokens on Windows are protected with DPAPI by the PowerShell module; the library does not read or write them yet",
        ));
    }
    Ok(())
}

fn refused_link(path: &Path) -> Error {
    let mut e = Error::new(
        ErrorCategory::InvalidArgument,
        format!("{} is a symbolic link; saved tokens are never read or written through one (remove the link)", path.display()),
    );
    e.field = Some("savedTokenFile".into());
    e
}

fn io_error(path: &Path, what: &str, e: std::io::Error) -> Error {
    let category = if e.kind() == std::io::ErrorKind::PermissionDenied { ErrorCategory::Permission } else { ErrorCategory::Internal };
    Error::new(category, format!("{what} {}: {e}", path.display()))
}

/// Opens without following a symbolic link, and creates files readable by the owner alone.
fn open_no_follow(path: &Path, options: &mut OpenOptions) -> std::io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).mode(0o600);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"));
    }
    Ok(file)
}

/// Creates the folder (0700) if needed; refuses one that is a symbolic link.
fn make_private_folder(folder: &Path) -> Result<()> {
    match std::fs::symlink_metadata(folder) {
        Ok(m) if m.file_type().is_symlink() => return Err(refused_link(folder)),
        Ok(m) if !m.is_dir() => return Err(io_error(folder, "cannot use", std::io::Error::other("not a folder"))),
        Ok(_) => return Ok(()),
        Err(_) => {}
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(folder).map_err(|e| io_error(folder, "cannot create", e))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn store() -> (tempfile::TempDir, TokenStore) {
        let dir = tempfile::tempdir().unwrap();
        let s = TokenStore::at(dir.path().join("vcs-native").join("credentials.json"));
        (dir, s)
    }

    #[test]
    fn saves_loads_lists_and_forgets_in_the_module_format() {
        let (_d, s) = store();
        assert_eq!(s.load("a.example").unwrap(), None);
        s.save("a.example", &Secret::new("token-aaaaaaaaaaaa-1111")).unwrap();
        s.save("127.0.0.1:9", &Secret::new("token-bbbbbbbbbbbb-2222")).unwrap();
        s.save("A.EXAMPLE", &Secret::new("token-cccccccccccc-3333")).unwrap();
        // The module's format: one JSON object, server to token.
        let on_disk: Value = serde_json::from_slice(&std::fs::read(s.file()).unwrap()).unwrap();
        assert_eq!(on_disk, serde_json::json!({"A.EXAMPLE": "token-cccccccccccc-3333", "127.0.0.1:9": "token-bbbbbbbbbbbb-2222"}));
        assert_eq!(std::fs::metadata(s.file()).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(s.file().parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(s.load("a.example").unwrap().unwrap().expose(), "token-cccccccccccc-3333");
        assert_eq!(s.load("https://127.0.0.1:9/").unwrap().unwrap().expose(), "token-bbbbbbbbbbbb-2222");
        let listing = s.list().unwrap();
        assert_eq!(listing.backend, "file");
        assert_eq!(listing.tokens.iter().map(|t| t.api_token_preview.as_str()).collect::<Vec<_>>(), ["****2222", "****3333"]);
        assert!(!serde_json::to_string(&listing).unwrap().contains("token-"));
        assert!(s.forget("a.example").unwrap());
        assert!(!s.forget("a.example").unwrap());
        assert_eq!(s.list().unwrap().tokens.len(), 1);
        assert_eq!(s.save(" ", &Secret::new("x")).unwrap_err().field.as_deref(), Some("server"));
    }

    #[test]
    fn a_corrupt_file_is_named_and_left_alone() {
        let (_d, s) = store();
        std::fs::create_dir_all(s.file().parent().unwrap()).unwrap();
        std::fs::write(s.file(), b"{\"a.example\": \"tok").unwrap();
        for e in [s.load("a.example").unwrap_err(), s.save("b.example", &Secret::new("t")).unwrap_err(), s.list().unwrap_err()] {
            assert!(e.message.contains(&s.file().display().to_string()), "{}", e.message);
            assert!(e.message.contains("left as it is"), "{}", e.message);
            assert!(!e.message.contains("tok\""), "{}", e.message);
        }
        assert_eq!(std::fs::read(s.file()).unwrap(), b"{\"a.example\": \"tok");
    }

    #[test]
    fn symbolic_links_are_refused_and_their_targets_untouched() {
        let (d, s) = store();
        std::fs::create_dir_all(s.file().parent().unwrap()).unwrap();
        let target = d.path().join("elsewhere.json");
        std::fs::write(&target, b"{}").unwrap();
        std::os::unix::fs::symlink(&target, s.file()).unwrap();
        let e = s.save("a.example", &Secret::new("secret-token-value")).unwrap_err();
        assert!(e.message.contains("symbolic link"), "{}", e.message);
        assert!(s.load("a.example").unwrap_err().message.contains("symbolic link"));
        assert_eq!(std::fs::read(&target).unwrap(), b"{}");
    }

    #[test]
    fn concurrent_saves_from_threads_are_all_kept() {
        let (_d, s) = store();
        std::thread::scope(|scope| {
            for i in 0..120 {
                let s = s.clone();
                scope.spawn(move || s.save(&format!("host{i}.example"), &Secret::new(format!("token-{i:04}-abcdefghijkl"))).unwrap());
            }
        });
        let listing = s.list().unwrap();
        assert_eq!(listing.tokens.len(), 120);
        for i in 0..120 {
            assert_eq!(s.load(&format!("host{i}.example")).unwrap().unwrap().expose(), format!("token-{i:04}-abcdefghijkl"));
        }
        let leftovers: Vec<_> = std::fs::read_dir(s.file().parent().unwrap())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
