//! The `/api/clients/` answer, written straight from the state's client. Building the
//! documented `ClientsAnswer` (every text cloned) and serialising it took a quarter of
//! the request (benches/profile.sh sbersafe_clients.lua). `ClientsAnswer` stays the
//! schema; the test below holds these bytes to what serde writes of it.

use std::borrow::Cow;

use super::state::{Binding, Client, Contact, moscow};
use super::wire::{mask_email, mask_pan, mask_phone};
use crate::provider::writer::{Object, object_json};

pub const SUCCESS: &str = "SUCCESS";

/// The client with exactly the `blocks` asked for (contacts, contactsExtra, bindings,
/// permissions), masked as SberSafe shows them.
pub fn answer(client: &Client, blocks: [bool; 4], request_id: &str) -> Vec<u8> {
    let [contacts, extra, bindings, permissions] = blocks;
    object_json(1024, |o| {
        o.object("client", Some(client), |o, c| {
            o.str("uuid", &c.uuid)
                .str("createdDate", &moscow(c.created));
        });
        if contacts {
            o.objects("contacts", &client.contacts, contact);
        }
        if extra {
            o.objects("contactsExtra", &client.contacts_extra, contact);
        }
        if bindings {
            o.objects("bindings", &client.bindings, binding);
        }
        if permissions {
            o.object("permissions", Some(client), |o, c| {
                o.bool("cardVirtual", c.card_virtual);
            });
        }
        o.str("requestId", request_id).str("status", SUCCESS);
    })
}

/// A contact's value as the answer shows it: phones and emails masked.
pub fn masked(c: &Contact) -> Cow<'_, str> {
    match c.kind.as_str() {
        "MPHONE" => Cow::Owned(mask_phone(&c.value)),
        "EMAIL" => Cow::Owned(mask_email(&c.value)),
        _ => Cow::Borrowed(&c.value),
    }
}

fn contact(o: &mut Object<'_>, c: &Contact) {
    o.str("contactStatus", &c.status)
        .str("type", &c.kind)
        .str("value", &masked(c));
}

fn binding(o: &mut Object<'_>, b: &Binding) {
    o.str("uuid", &b.uuid)
        .str("createdDate", &moscow(b.created))
        .str("mnemonic", &b.mnemonic)
        .str("paymentType", "CARD")
        .str("paymentSystem", &b.payment_system)
        .object("card", Some(b), |o, b| {
            o.str("maskedPan", &mask_pan(&b.pan));
        })
        .bool("extendedInfo", b.extended_info);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::sbersafe::wire::{
        BindingOut, Card, ClientRef, ClientsAnswer, ContactOut, Permissions,
    };
    use chrono::{TimeZone, Utc};

    /// The documented answer built as a struct, as the handler once did.
    fn documented(client: &Client, blocks: [bool; 4], request_id: &str) -> ClientsAnswer {
        let [contacts, extra, bindings, permissions] = blocks;
        let contact_out = |c: &Contact| ContactOut {
            contact_status: c.status.clone(),
            kind: c.kind.clone(),
            value: masked(c).into_owned(),
        };
        let binding_out = |b: &Binding| BindingOut {
            uuid: b.uuid.clone(),
            created_date: moscow(b.created),
            mnemonic: b.mnemonic.clone(),
            payment_type: "CARD".into(),
            payment_system: b.payment_system.clone(),
            card: Card {
                masked_pan: mask_pan(&b.pan),
            },
            extended_info: b.extended_info,
        };
        ClientsAnswer {
            client: ClientRef {
                uuid: client.uuid.clone(),
                created_date: moscow(client.created),
            },
            contacts: contacts.then(|| client.contacts.iter().map(contact_out).collect()),
            contacts_extra: extra.then(|| client.contacts_extra.iter().map(contact_out).collect()),
            bindings: bindings.then(|| client.bindings.iter().map(binding_out).collect()),
            permissions: permissions.then_some(Permissions {
                card_virtual: client.card_virtual,
            }),
            request_id: request_id.into(),
            status: SUCCESS,
        }
    }

    fn client() -> Client {
        let at = Utc.with_ymd_and_hms(2017, 9, 7, 14, 43, 57).unwrap();
        let contact = |kind: &str, value: &str| Contact {
            kind: kind.into(),
            value: value.into(),
            status: "ACTIVE".into(),
        };
        Client {
            id: "main".into(),
            uuid: "C2BC84C12AD6438DAA0D87517C7AE187".into(),
            created: at,
            contacts: vec![
                contact("MPHONE", "9161234567"),
                contact("EMAIL", "ant@sandbox.test"),
            ],
            contacts_extra: vec![contact("POST_ADRESS", "Bld. 2, \"Zemlyanoy\" Val St.")],
            bindings: vec![Binding {
                uuid: "87414E0F13AB4542AA9D10E81F74A6E3".into(),
                created: at,
                mnemonic: "my card \\ №1".into(),
                payment_system: "MASTERCARD".into(),
                pan: "5111 1111 1111 1199".into(),
                extended_info: true,
            }],
            card_virtual: false,
            created_by: None,
        }
    }

    #[test]
    fn the_answer_is_written_as_serde_json_writes_the_documented_one() {
        let client = client();
        for n in 0..16u8 {
            let blocks = [n & 1 != 0, n & 2 != 0, n & 4 != 0, n & 8 != 0];
            let expected = serde_json::to_vec(&documented(&client, blocks, "req-1")).unwrap();
            assert_eq!(
                String::from_utf8(answer(&client, blocks, "req-1")).unwrap(),
                String::from_utf8(expected).unwrap(),
                "blocks {blocks:?}"
            );
        }
    }
}
