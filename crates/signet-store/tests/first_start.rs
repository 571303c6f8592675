//! The first-start lock across nodes of one database (what an HSM's master keys are
//! created under), on SQLite and on PostgreSQL: one holder at a time, a waiter that
//! gives up with a clear error, and a lock that ends with its holder.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{new_group, TestDb};
use signet_store::{SqlStore, Store, StoreError};
use std::time::Duration;

backend_tests!(one_node_at_a_time_holds_the_first_start_lock);

async fn one_node_at_a_time_holds_the_first_start_lock(db: &TestDb) {
    // Another node: a second store on the same database, with a pool of one connection.
    let other = SqlStore::connect(&db.url, 1).await.unwrap();
    let held = db.store.first_start_lock(Duration::from_secs(5)).await.unwrap();

    let refused = other.first_start_lock(Duration::from_millis(300)).await.unwrap_err();
    match refused {
        StoreError::Unavailable(why) => assert!(why.contains("first-start lock"), "{why}"),
        e => panic!("expected Unavailable, got {e:?}"),
    }
    // It locks nothing in the database: the holder bootstraps through the pool while it
    // holds it, and the other nodes write too.
    db.store.create_group(new_group("first")).await.unwrap();
    other.create_group(new_group("second")).await.unwrap();

    // Released: the waiting node gets it.
    let waiting = tokio::spawn({
        let other = other.clone();
        async move { other.first_start_lock(Duration::from_secs(10)).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "the second node waits while the first holds the lock");
    held.release().await;
    let second = waiting.await.unwrap().unwrap();
    // Its one pooled connection still serves its own first start.
    other.create_group(new_group("third")).await.unwrap();

    // A holder that ends without releasing (dropped: its connection is closed) ends the
    // lock too.
    drop(second);
    let third = db.store.first_start_lock(Duration::from_secs(10)).await.unwrap();
    third.release().await;
    other.close().await;
}
