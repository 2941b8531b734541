// Package ports declares the interfaces that the use cases need from the
// outside world: storage, the vendor APIs, the mailer, the SMS gateway, the
// blob store, the job queue, the clock and the host's provisioner.
//
// Storage is split into small interfaces per aggregate so that a use case
// names only what it uses. Every storage adapter implements all of them, and
// the exported contract suite in ports/storetest proves that it behaves the
// same way as the adapters shipped here.
//
// Writes that belong together run inside [TxRunner.InTx]. The transaction
// travels in the context, so a storage call or a [JobQueue.Enqueue] made with
// the context that InTx passes joins the transaction: if the function returns
// an error, the writes and the enqueued jobs are rolled back together.
package ports
