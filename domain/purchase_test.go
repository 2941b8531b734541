package domain_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
)

func TestParsePurchaseStatus(t *testing.T) {
	t.Parallel()

	valid := []struct {
		name  string
		input string
		want  domain.PurchaseStatus
	}{
		{"Created", "created", domain.PurchaseCreated},
		{"PendingProvision", "pending_provision", domain.PurchasePendingProvision},
		{"ProvisionError", "provision_error", domain.PurchaseProvisionError},
		{"PendingPayment", "pending_payment", domain.PurchasePendingPayment},
		{"Provisioned", "provisioned", domain.PurchaseProvisioned},
		{"Completed", "completed", domain.PurchaseCompleted},
		{"Cancelled", "cancelled", domain.PurchaseCancelled},
	}
	for _, tc := range valid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParsePurchaseStatus(tc.input)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}

	invalid := []struct {
		name  string
		input string
	}{
		{"Empty", ""},
		{"Unknown", "shipped"},
		{"UpperCase", "CREATED"},
		{"SurroundingSpace", " created "},
		{"Dashed", "pending-provision"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParsePurchaseStatus(tc.input)
			require.ErrorIs(t, err, domain.ErrInvalid)
			require.Empty(t, got)

			var verr *domain.ValidationError
			require.True(t, errors.As(err, &verr))
			require.Equal(t, "purchase status", verr.Field)
			require.Equal(t, tc.input, verr.Value)
			require.Equal(t, "expected one of created, pending_provision, provision_error, pending_payment, provisioned, completed, cancelled", verr.Reason)
		})
	}
}

func TestPurchaseStatusLists(t *testing.T) {
	t.Parallel()
	require.Len(t, domain.PurchaseStatuses, 7)

	seen := map[domain.PurchaseStatus]bool{}
	for _, s := range domain.PurchaseStatuses {
		require.False(t, seen[s], "status %q listed twice", s)
		seen[s] = true
	}

	for _, s := range domain.PendingPurchaseStatuses {
		require.True(t, seen[s], "pending status %q is not a known status", s)
	}
	require.ElementsMatch(t, []domain.PurchaseStatus{
		domain.PurchaseCreated, domain.PurchasePendingProvision,
		domain.PurchaseProvisionError, domain.PurchasePendingPayment,
	}, domain.PendingPurchaseStatuses)
	require.NotContains(t, domain.PendingPurchaseStatuses, domain.PurchaseProvisioned)
	require.NotContains(t, domain.PendingPurchaseStatuses, domain.PurchaseCompleted)
	require.NotContains(t, domain.PendingPurchaseStatuses, domain.PurchaseCancelled)
}

func TestParseDeliveryType(t *testing.T) {
	t.Parallel()

	valid := []struct {
		name  string
		input string
		want  domain.DeliveryType
	}{
		{"Email", "email", domain.DeliveryEmail},
		{"Courier", "courier", domain.DeliveryCourier},
		{"Shop", "shop", domain.DeliveryShop},
	}
	for _, tc := range valid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseDeliveryType(tc.input)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}

	invalid := []struct {
		name  string
		input string
	}{
		{"Empty", ""},
		{"Unknown", "post"},
		{"UpperCase", "Email"},
		{"SurroundingSpace", " shop"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseDeliveryType(tc.input)
			require.ErrorIs(t, err, domain.ErrInvalid)
			require.Empty(t, got)

			var verr *domain.ValidationError
			require.True(t, errors.As(err, &verr))
			require.Equal(t, "delivery type", verr.Field)
			require.Equal(t, tc.input, verr.Value)
			require.Equal(t, "expected one of email, courier, shop", verr.Reason)
		})
	}
}

func TestIccFree(t *testing.T) {
	t.Parallel()
	purchaseID := int64(42)
	tests := []struct {
		name  string
		input domain.Icc
		want  bool
	}{
		{"Unassigned", domain.Icc{ICCID: "8934071234567890123", Kind: domain.IccESIM}, true},
		{"Assigned", domain.Icc{ICCID: "8934071234567890123", Kind: domain.IccESIM, PurchaseID: &purchaseID}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, tc.input.Free())
		})
	}
}
