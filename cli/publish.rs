//! `mlpy keygen`, `mlpy sign` and `mlpy publish`: signing remote modules and writing a
//! static, signed module tree that any static web server or CDN can serve.

use crate::render::display_path;
use crate::{Context, Outcome};
use anyhow::{anyhow, bail};
use clap::Args;
use mlpy_remote::publish::{generate_keypair, publish, sign_file, PublishError, SigningKey};
use std::path::{Path, PathBuf};

#[derive(Args)]
pub(crate) struct KeygenArgs {
    /// Where to write the secret key; the public key goes to the same path with `.pub`.
    #[arg(long, value_name = "FILE", default_value = "mlpy.key")]
    out: PathBuf,

    /// Replace existing key files.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
pub(crate) struct SignArgs {
    /// Modules to sign: FILE.sig (SHA-256) and FILE.minisig (ed25519) are written beside each.
    #[arg(required = true)]
    files: Vec<PathBuf>,

    /// The secret key (from `mlpy keygen` or `minisign -G`; a password-protected key
    /// reads its password from MLPY_KEY_PASSWORD).
    #[arg(long, value_name = "KEY")]
    key: PathBuf,
}

#[derive(Args)]
pub(crate) struct PublishArgs {
    /// The folder of modules to publish (every `.ml` below it).
    dir: PathBuf,

    /// The secret key to sign with.
    #[arg(long, value_name = "KEY")]
    key: PathBuf,

    /// The folder to write the signed tree to (outside DIR). Files there that an earlier
    /// `mlpy publish` did not write are not replaced (unless --force).
    #[arg(long, value_name = "OUT")]
    out: PathBuf,

    /// Replace files in OUT that mlpy publish did not write.
    #[arg(long)]
    force: bool,
}

fn load_key(path: &Path) -> anyhow::Result<SigningKey> {
    SigningKey::load(path, std::env::var("MLPY_KEY_PASSWORD").ok()).map_err(|e| anyhow!(e))
}

pub(crate) fn keygen(_cx: &Context, args: KeygenArgs) -> anyhow::Result<Outcome> {
    let mut public_path = args.out.clone().into_os_string();
    public_path.push(".pub");
    let public_path = PathBuf::from(public_path);
    for path in [&args.out, &public_path] {
        if path.exists() && !args.force {
            bail!(
                "'{}' exists; pass --force to replace it (signatures made with the old key will no longer verify)",
                path.display()
            );
        }
    }
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| anyhow!("cannot create '{}': {e}", parent.display()))?;
    }
    let pair = generate_keypair().map_err(|e| anyhow!(e))?;
    write_secret(&args.out, pair.secret.as_bytes())?;
    std::fs::write(&public_path, &pair.public)
        .map_err(|e| anyhow!("cannot write '{}': {e}", public_path.display()))?;
    outln!("secret key: {} (keep it private)", display_path(&args.out));
    outln!("public key: {}", display_path(&public_path));
    outln!("key ID:     {}", pair.key_id);
    outln!();
    outln!("Importers trust it by adding it to mlpy.json:");
    outln!("  \"trusted_keys\": [\"{}\"]", pair.public_base64);
    Ok(Outcome::Success)
}

/// Writes a secret key readable by its owner only.
fn write_secret(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| anyhow!("cannot write '{}': {e}", path.display()))?;
    file.write_all(bytes)
        .map_err(|e| anyhow!("cannot write '{}': {e}", path.display()))?;
    Ok(())
}

pub(crate) fn sign(_cx: &Context, args: SignArgs) -> anyhow::Result<Outcome> {
    let key = load_key(&args.key)?;
    for file in &args.files {
        let signatures = sign_file(file, &key).map_err(|e| anyhow!(e))?;
        outln!(
            "signed {} (sha256 {}, key {})",
            display_path(file),
            signatures.sha256,
            key.key_id
        );
    }
    Ok(Outcome::Success)
}

pub(crate) fn publish_tree(_cx: &Context, args: PublishArgs) -> anyhow::Result<Outcome> {
    let key = load_key(&args.key)?;
    let index = match publish(&args.dir, &args.out, &key, args.force) {
        Ok(index) => index,
        Err(PublishError::Syntax(lines)) => {
            for line in lines {
                errln!("{line}");
            }
            errln!("mlpy: nothing was published: fix the errors above first");
            return Ok(Outcome::ProgramErrors);
        }
        Err(e) => bail!("{e}"),
    };
    outln!(
        "published {} module{} to {} (signed by key {})",
        index.modules.len(),
        if index.modules.len() == 1 { "" } else { "s" },
        display_path(&args.out),
        index.key_id
    );
    outln!("serve that folder with any static web server; importers add to mlpy.json:");
    outln!("  \"trusted_keys\": [\"{}\"]", index.public_key);
    Ok(Outcome::Success)
}
