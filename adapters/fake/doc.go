// Package fake holds in-memory fakes of the outbound ports (blob store,
// mailer, SMS gateway, vendor catalogue, coverage, job queue, clock) for the
// tests of host applications and of this module. They are safe for
// concurrent use and record what they were asked to do.
package fake
