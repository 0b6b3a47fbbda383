//! Outgoing mail: SMTP when a relay is configured, otherwise one file per message in the
//! outbox folder. Mail is always sent off the request path, retried a few times, and a failure
//! is logged without ever changing what the requester sees.

pub mod templates;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The language to write to a recipient in, from their stored `language` code; English when
/// the code is not one the interface offers.
pub fn language(code: &str) -> crate::i18n::Locale {
    crate::i18n::Locale::from_code(code).unwrap_or_default()
}

/// The stored language of user `user_id`, for a mail to them.
pub async fn language_of(
    state: &crate::context::AppState,
    user_id: i64,
) -> Result<crate::i18n::Locale, crate::error::AppError> {
    use sqlx::Row;
    let code: String = sqlx::query("select language from users where id = $1")
        .bind(user_id)
        .fetch_one(state.db.pool())
        .await?
        .try_get("language")?;
    Ok(language(&code))
}

/// One message, ready to send.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

enum Transport {
    Outbox(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// Sends mail in the background. Cheap to clone.
#[derive(Clone)]
pub struct Mailer(Arc<Inner>);

struct Inner {
    transport: Transport,
    from: Mailbox,
    in_flight: AtomicUsize,
    idle: Notify,
    /// Pauses between attempts; the first attempt is immediate.
    retry_delays: Vec<Duration>,
}

/// Why a mailer could not be built or a message not sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address: {0}")]
    Address(#[from] lettre::address::AddressError),
    #[error("could not build the message: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("outbox: {0}")]
    Outbox(#[from] std::io::Error),
}

impl Mailer {
    /// Writes each message to `dir` as an `.eml` file.
    pub fn outbox(dir: PathBuf, from: &str) -> Result<Self, MailError> {
        Ok(Self::with(Transport::Outbox(dir), from.parse()?))
    }

    /// Sends through the relay at `url` (`smtp://`, `smtps://`, or `smtp://...?tls=required`).
    pub fn smtp(url: &str, from: &str) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.build();
        Ok(Self::with(Transport::Smtp(transport), from.parse()?))
    }

    fn with(transport: Transport, from: Mailbox) -> Self {
        Self(Arc::new(Inner {
            transport,
            from,
            in_flight: AtomicUsize::new(0),
            idle: Notify::new(),
            retry_delays: vec![
                Duration::from_secs(2),
                Duration::from_secs(10),
                Duration::from_secs(60),
            ],
        }))
    }

    /// Queues `mail` and returns at once.
    pub fn send_later(&self, mail: OutgoingMail) {
        let inner = Arc::clone(&self.0);
        inner.in_flight.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            let mut attempt = 0;
            loop {
                match deliver(&inner, &mail).await {
                    Ok(()) => break,
                    Err(error) => match inner.retry_delays.get(attempt) {
                        Some(delay) => {
                            tracing::warn!(%error, to = %mail.to, attempt, "mail not sent; will retry");
                            tokio::time::sleep(*delay).await;
                            attempt += 1;
                        }
                        None => {
                            tracing::error!(%error, to = %mail.to, subject = %mail.subject, "mail not sent; giving up");
                            break;
                        }
                    },
                }
            }
            if inner.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
                inner.idle.notify_waiters();
            }
        });
    }

    /// Waits until every queued message has been sent or given up on.
    pub async fn settled(&self) {
        loop {
            let notified = self.0.idle.notified();
            if self.0.in_flight.load(Ordering::SeqCst) == 0 {
                return;
            }
            notified.await;
        }
    }
}

async fn deliver(inner: &Inner, mail: &OutgoingMail) -> Result<(), MailError> {
    let message = Message::builder()
        .from(inner.from.clone())
        .to(mail.to.parse()?)
        .subject(mail.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            mail.text.clone(),
            mail.html.clone(),
        ))?;
    match &inner.transport {
        Transport::Smtp(transport) => {
            transport.send(message).await?;
        }
        Transport::Outbox(dir) => {
            tokio::fs::create_dir_all(dir).await?;
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default();
            let path = dir.join(format!("{stamp}-{:08x}.eml", rand::random::<u32>()));
            let temporary = path.with_extension("tmp");
            // Write then rename, so a reader never sees half a message.
            tokio::fs::write(&temporary, message.formatted()).await?;
            tokio::fs::rename(&temporary, &path).await?;
        }
    }
    Ok(())
}
