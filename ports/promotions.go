package ports

import (
	"context"
	"time"

	"github.com/telcojobs/telcojobs/domain"
)

// AssignStatus is the outcome of assigning a code to one document.
type AssignStatus string

// Assignment outcomes.
const (
	// AssignAssigned means the document got a free code now.
	AssignAssigned AssignStatus = "assigned"
	// AssignAlreadyAssigned means the document already had a code of the
	// kind, which it keeps.
	AssignAlreadyAssigned AssignStatus = "already_assigned"
	// AssignNoFreeCode means no free code was left for the document.
	AssignNoFreeCode AssignStatus = "not_assigned_no_codes"
)

// AssignRequest asks for codes of one kind for a batch of documents.
type AssignRequest struct {
	Kind domain.PromotionKind
	// Documents are the documents to serve, without repeats, in the order
	// in which they get codes when the pool runs short.
	Documents []domain.Document
	// By is the user recorded on each code and audit entry.
	By string
	At time.Time
}

// Assignment is the outcome for one document.
type Assignment struct {
	Document domain.Document
	Status   AssignStatus
	// Code is the new or existing code; empty for AssignNoFreeCode.
	Code string
}

// PromotionStore keeps the pool of promotion codes.
type PromotionStore interface {
	// AddPromotionCodes adds free codes of a kind and returns those that
	// already existed (of any kind), which it leaves unchanged.
	AddPromotionCodes(ctx context.Context, kind domain.PromotionKind, codes []string, at time.Time) (existing []string, err error)
	// AssignPromotionCodes gives each document without a code of the kind
	// the next free one, in one transaction, and writes one audit entry
	// per new assignment naming req.By (action "assign_promotion_code",
	// object "promotion_code:CODE"). It returns one Assignment per
	// document, in order. Concurrent callers never get the same code and
	// never give one document two codes of a kind: the store enforces both
	// with row locks and a unique constraint, retrying a batch that lost a
	// race.
	AssignPromotionCodes(ctx context.Context, req AssignRequest) ([]Assignment, error)
	// PromotionCodeOf returns the code of the kind assigned to a document,
	// or domain.ErrNotFound.
	PromotionCodeOf(ctx context.Context, kind domain.PromotionKind, doc domain.Document) (domain.PromotionCode, error)
	// CountFreePromotionCodes counts the free codes of a kind.
	CountFreePromotionCodes(ctx context.Context, kind domain.PromotionKind) (int, error)
	// ListPromotionCodes returns the codes of a kind ordered by id;
	// assignedOnly leaves out free ones.
	ListPromotionCodes(ctx context.Context, kind domain.PromotionKind, assignedOnly bool) ([]domain.PromotionCode, error)
}
