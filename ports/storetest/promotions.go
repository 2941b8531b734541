package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

func init() { register("PromotionCodes", testPromotionCodes) }

func dni(n int) domain.Document {
	digits := fmt.Sprintf("%08d", n)
	return domain.Document{Kind: domain.DocumentDNI, Number: digits + string("TRWAGMYFPDXBNJZSQVHLCKE"[n%23])}
}

func testPromotionCodes(t *testing.T, open Opener) {
	ctx := context.Background()

	setup := func(t *testing.T, codes int) (Store, ports.PromotionStore) {
		s := open(t)
		ps := As[ports.PromotionStore](t, s)
		var list []string
		for i := range codes {
			list = append(list, fmt.Sprintf("TV-%05d", i))
		}
		existing, err := ps.AddPromotionCodes(ctx, domain.PromotionTV, list, base)
		require.NoError(t, err)
		require.Empty(t, existing)
		return s, ps
	}

	t.Run("AddReportsExisting", func(t *testing.T) {
		t.Parallel()
		_, ps := setup(t, 2)
		existing, err := ps.AddPromotionCodes(ctx, domain.PromotionTV, []string{"TV-00001", "TV-NEW01"}, base)
		require.NoError(t, err)
		require.Equal(t, []string{"TV-00001"}, existing)
		n, err := ps.CountFreePromotionCodes(ctx, domain.PromotionTV)
		require.NoError(t, err)
		require.Equal(t, 3, n)
	})

	t.Run("AssignInOrderAndAudit", func(t *testing.T) {
		t.Parallel()
		s, ps := setup(t, 3)
		at := base.Add(time.Hour)
		got, err := ps.AssignPromotionCodes(ctx, ports.AssignRequest{
			Kind: domain.PromotionTV, Documents: []domain.Document{dni(1), dni(2)}, By: "user:7", At: at,
		})
		require.NoError(t, err)
		require.Equal(t, []ports.Assignment{
			{Document: dni(1), Status: ports.AssignAssigned, Code: "TV-00000"},
			{Document: dni(2), Status: ports.AssignAssigned, Code: "TV-00001"},
		}, got)

		code, err := ps.PromotionCodeOf(ctx, domain.PromotionTV, dni(1))
		require.NoError(t, err)
		require.Equal(t, "TV-00000", code.Code)
		require.Equal(t, dni(1), *code.Document)
		require.Equal(t, "user:7", code.AssignedBy)
		require.True(t, code.AssignedAt.Equal(at))
		require.False(t, code.Free())

		audit, err := s.ListAudit(ctx, "promotion_code:TV-00000", 0)
		require.NoError(t, err)
		require.Len(t, audit, 1)
		require.Equal(t, "user:7", audit[0].Actor)
		require.Equal(t, "assign_promotion_code", audit[0].Action)
		require.Contains(t, audit[0].Message, dni(1).Number)

		_, err = ps.PromotionCodeOf(ctx, domain.PromotionTV, dni(3))
		require.ErrorIs(t, err, domain.ErrNotFound)
		_, err = ps.PromotionCodeOf(ctx, "OTHER", dni(1))
		require.ErrorIs(t, err, domain.ErrNotFound)
	})

	t.Run("AlreadyAssignedAndPoolEmpty", func(t *testing.T) {
		t.Parallel()
		_, ps := setup(t, 2)
		req := ports.AssignRequest{Kind: domain.PromotionTV, Documents: []domain.Document{dni(1)}, By: "u", At: base}
		_, err := ps.AssignPromotionCodes(ctx, req)
		require.NoError(t, err)

		req.Documents = []domain.Document{dni(1), dni(2), dni(3)}
		got, err := ps.AssignPromotionCodes(ctx, req)
		require.NoError(t, err)
		require.Equal(t, []ports.Assignment{
			{Document: dni(1), Status: ports.AssignAlreadyAssigned, Code: "TV-00000"},
			{Document: dni(2), Status: ports.AssignAssigned, Code: "TV-00001"},
			{Document: dni(3), Status: ports.AssignNoFreeCode},
		}, got)

		free, err := ps.CountFreePromotionCodes(ctx, domain.PromotionTV)
		require.NoError(t, err)
		require.Zero(t, free)
		all, err := ps.ListPromotionCodes(ctx, domain.PromotionTV, false)
		require.NoError(t, err)
		require.Len(t, all, 2)
		assigned, err := ps.ListPromotionCodes(ctx, domain.PromotionTV, true)
		require.NoError(t, err)
		require.Len(t, assigned, 2)
	})

	t.Run("KindsAreApart", func(t *testing.T) {
		t.Parallel()
		_, ps := setup(t, 1)
		_, err := ps.AddPromotionCodes(ctx, "MUSIC", []string{"MU-00001"}, base)
		require.NoError(t, err)
		for _, kind := range []domain.PromotionKind{domain.PromotionTV, "MUSIC"} {
			got, err := ps.AssignPromotionCodes(ctx, ports.AssignRequest{Kind: kind, Documents: []domain.Document{dni(1)}, By: "u", At: base})
			require.NoError(t, err)
			require.Equal(t, ports.AssignAssigned, got[0].Status, kind)
		}
	})

	t.Run("ConcurrentNeverTwice", func(t *testing.T) {
		t.Parallel()
		s, ps := setup(t, 60)
		const workers = 8

		// Each worker asks for 20 documents; neighbours share half of them,
		// so 8 workers want 90 distinct documents from a pool of 60.
		var wg sync.WaitGroup
		results := make([][]ports.Assignment, workers)
		errs := make([]error, workers)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var docs []domain.Document
				for i := range 20 {
					docs = append(docs, dni(w*10+i))
				}
				results[w], errs[w] = ps.AssignPromotionCodes(ctx, ports.AssignRequest{
					Kind: domain.PromotionTV, Documents: docs, By: fmt.Sprint("user:", w), At: base,
				})
			}()
		}
		wg.Wait()

		codeOf := map[domain.Document]string{}
		docOf := map[string]domain.Document{}
		assigned := 0
		for w := range workers {
			require.NoError(t, errs[w])
			for _, a := range results[w] {
				if a.Status != ports.AssignAssigned {
					continue
				}
				assigned++
				prev, seen := docOf[a.Code]
				require.False(t, seen, "code %s handed to %s and %s", a.Code, prev, a.Document)
				docOf[a.Code] = a.Document
				_, twice := codeOf[a.Document]
				require.False(t, twice, "document %s got two codes", a.Document)
				codeOf[a.Document] = a.Code
			}
		}
		require.Equal(t, 60, assigned, "the whole pool is used, since more documents than codes were asked for")

		stored, err := ps.ListPromotionCodes(ctx, domain.PromotionTV, true)
		require.NoError(t, err)
		require.Len(t, stored, 60)
		for _, p := range stored {
			require.Equal(t, docOf[p.Code], *p.Document)
		}
		audit, err := s.ListAudit(ctx, "", 1000)
		require.NoError(t, err)
		require.Len(t, audit, 60, "one audit entry per assignment")
	})
}
