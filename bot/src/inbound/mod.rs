//! A text from a phone (or a message another edge parsed: the JSON API's), handed
//! to the dispatcher: the SMS grammar parses a text into a command, and the engine
//! decides what it means and does (`Engine::receive`: the
//! sender's role, the hand-off it is about, every reply), committing it all in one
//! transaction. Nothing about what a text means is decided here.

use handoff_dispatcher::conversation::{Address, Inbound as Message, MessageId};
use handoff_dispatcher::{Engine, EngineError, PhoneNumber, Receipt, Received};

use crate::sms::grammar;

/// Hands texts to one engine.
#[derive(Clone)]
pub struct Inbound {
    engine: Engine,
}

impl Inbound {
    pub fn new(engine: Engine) -> Inbound {
        Inbound { engine }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Handles one text from `from` whose provider id is `message_id`. Errors are
    /// internal (the database): the caller should let the provider retry; nothing
    /// of the text was kept, so the retry is handled once.
    pub async fn text(
        &self,
        from: &PhoneNumber,
        body: &str,
        message_id: &MessageId,
    ) -> Result<Received, EngineError> {
        let message = Message {
            from: Address::Phone(from.clone()),
            id: message_id.clone(),
            command: grammar::parse(body),
            body: body.to_owned(),
        };
        Ok(self.message(message).await?.received)
    }

    /// Handles one message already parsed at its edge (the JSON API builds its
    /// command from the fields of the request), saying which hand-off it opened or
    /// was about and what the sender was told. Errors as for [`Inbound::text`].
    pub async fn message(&self, message: Message) -> Result<Receipt, EngineError> {
        // In a task of its own: a caller that hangs up (a provider waits 15 s)
        // drops the request's future, and the message must still be decided,
        // committed and its wake-ups sent, not stopped half-way through.
        let engine = self.engine.clone();
        tokio::spawn(async move { engine.receive_with_receipt(&message).await })
            .await
            .unwrap_or_else(|joined| Err(EngineError::Stopped(joined.to_string())))
    }
}
