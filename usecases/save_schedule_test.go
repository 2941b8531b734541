package usecases_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/usecases"
)

var saveNow = schedTime("2025-01-15T10:00:00Z")

func validScheduleInput() usecases.SaveScheduleInput {
	return usecases.SaveScheduleInput{
		Name: "reprovision", Enabled: true, Times: []string{"19:30", "07:00"}, TimeZone: "Europe/Madrid",
		Action: "generic", Parameters: json.RawMessage(`{"statuses":["provision_error"],"limit":20}`),
		GracePeriodMinutes: 30,
	}
}

func TestSaveScheduleCreate(t *testing.T) {
	t.Parallel()
	forEachSchedStore(t, saveNow, func(t *testing.T, f *schedFixture) {
		ctx := context.Background()
		res, err := f.save.Handle(ctx, validScheduleInput())
		require.NoError(t, err)
		require.True(t, res.Created)
		require.Equal(t, "reprovision", res.Name)

		sc, err := f.store.Schedule(ctx, res.ScheduleID)
		require.NoError(t, err)
		require.True(t, sc.Enabled)
		require.Equal(t, []domain.ClockTime{{Hour: 7}, {Hour: 19, Minute: 30}}, sc.Times)
		require.Equal(t, "Europe/Madrid", sc.TimeZone)
		require.Equal(t, "generic", sc.Action)
		require.JSONEq(t, `{"statuses":["provision_error"],"limit":20}`, string(sc.Parameters))
		require.Equal(t, 30*time.Minute, sc.GracePeriod)
		require.True(t, sc.CreatedAt.Equal(saveNow))
		require.NotNil(t, sc.LastCheckedAt, "a new schedule counts as checked when saved")
		require.True(t, sc.LastCheckedAt.Equal(saveNow))
		require.Nil(t, sc.ExecutedAt)
	})
}

func TestSaveScheduleDefaults(t *testing.T) {
	t.Parallel()
	forEachSchedStore(t, saveNow, func(t *testing.T, f *schedFixture) {
		ctx := context.Background()
		in := validScheduleInput()
		in.TimeZone, in.GracePeriodMinutes = "", 0
		res, err := f.save.Handle(ctx, in)
		require.NoError(t, err)

		sc, err := f.store.Schedule(ctx, res.ScheduleID)
		require.NoError(t, err)
		require.Equal(t, domain.DefaultTimeZone, sc.TimeZone)
		require.Equal(t, time.Hour, sc.GracePeriod)
	})
}

func TestSaveScheduleUpdate(t *testing.T) {
	t.Parallel()
	forEachSchedStore(t, saveNow, func(t *testing.T, f *schedFixture) {
		ctx := context.Background()
		created, err := f.save.Handle(ctx, validScheduleInput())
		require.NoError(t, err)

		f.clock.Advance(time.Hour)
		in := validScheduleInput()
		in.ID = created.ScheduleID
		in.Name = "reprovision-night"
		in.Times = []string{"23:15"}
		in.TimeZone = "Atlantic/Canary"
		in.Parameters = json.RawMessage(`{"statuses":["pending_provision"]}`)
		in.GracePeriodMinutes = 120
		res, err := f.save.Handle(ctx, in)
		require.NoError(t, err)
		require.False(t, res.Created)
		require.Equal(t, created.ScheduleID, res.ScheduleID)

		sc, err := f.store.Schedule(ctx, res.ScheduleID)
		require.NoError(t, err)
		require.Equal(t, "reprovision-night", sc.Name)
		require.Equal(t, []domain.ClockTime{{Hour: 23, Minute: 15}}, sc.Times)
		require.Equal(t, "Atlantic/Canary", sc.TimeZone)
		require.JSONEq(t, `{"statuses":["pending_provision"]}`, string(sc.Parameters))
		require.Equal(t, 2*time.Hour, sc.GracePeriod)
		require.True(t, sc.CreatedAt.Equal(saveNow))
		require.True(t, sc.UpdatedAt.Equal(saveNow.Add(time.Hour)))
		require.True(t, sc.LastCheckedAt.Equal(saveNow.Add(time.Hour)), "an update counts as a check")
	})
}

func TestSaveScheduleEnableMarksChecked(t *testing.T) {
	t.Parallel()
	forEachSchedStore(t, saveNow, func(t *testing.T, f *schedFixture) {
		ctx := context.Background()
		in := validScheduleInput()
		in.Enabled = false
		created, err := f.save.Handle(ctx, in)
		require.NoError(t, err)

		f.clock.Advance(72 * time.Hour)
		in.ID, in.Enabled = created.ScheduleID, true
		_, err = f.save.Handle(ctx, in)
		require.NoError(t, err)

		sc, err := f.store.Schedule(ctx, created.ScheduleID)
		require.NoError(t, err)
		require.True(t, sc.LastCheckedAt.Equal(saveNow.Add(72*time.Hour)), "last check %s", sc.LastCheckedAt)
	})
}

func TestSaveScheduleConflictAndNotFound(t *testing.T) {
	t.Parallel()
	forEachSchedStore(t, saveNow, func(t *testing.T, f *schedFixture) {
		ctx := context.Background()
		_, err := f.save.Handle(ctx, validScheduleInput())
		require.NoError(t, err)

		_, err = f.save.Handle(ctx, validScheduleInput())
		require.ErrorIs(t, err, domain.ErrConflict)

		in := validScheduleInput()
		in.ID = 404
		_, err = f.save.Handle(ctx, in)
		require.ErrorIs(t, err, domain.ErrNotFound)
	})
}

func TestSaveScheduleInvalid(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name   string
		change func(in *usecases.SaveScheduleInput)
		field  string
	}{
		{"NegativeID", func(in *usecases.SaveScheduleInput) { in.ID = -1 }, "id"},
		{"EmptyName", func(in *usecases.SaveScheduleInput) { in.Name = "" }, "name"},
		{"NoTimes", func(in *usecases.SaveScheduleInput) { in.Times = nil }, "times"},
		{"BadTime", func(in *usecases.SaveScheduleInput) { in.Times = []string{"07:00", "25:00"} }, "times[1]"},
		{"TimeWithSeconds", func(in *usecases.SaveScheduleInput) { in.Times = []string{"07:00:00"} }, "times[0]"},
		{"DuplicateTime", func(in *usecases.SaveScheduleInput) { in.Times = []string{"07:00", "7:00"} }, "times[1]"},
		{"UnknownZone", func(in *usecases.SaveScheduleInput) { in.TimeZone = "Europe/Springfield" }, "time_zone"},
		{"UnknownAction", func(in *usecases.SaveScheduleInput) { in.Action = "reboot" }, "action"},
		{"EmptyAction", func(in *usecases.SaveScheduleInput) { in.Action = "" }, "action"},
		{"ParametersNotObject", func(in *usecases.SaveScheduleInput) { in.Parameters = json.RawMessage(`"provision_error"`) }, "parameters"},
		{"ParametersMisspelt", func(in *usecases.SaveScheduleInput) {
			in.Parameters = json.RawMessage(`{"statuses":["provision_error"],"chanels":["web"]}`)
		}, "parameters"},
		{"ParametersNoStatuses", func(in *usecases.SaveScheduleInput) { in.Parameters = nil }, "parameters.statuses"},
		{"ParametersBadStatus", func(in *usecases.SaveScheduleInput) {
			in.Parameters = json.RawMessage(`{"statuses":["failed"]}`)
		}, "parameters.statuses[0]"},
		{"ParametersBadLimit", func(in *usecases.SaveScheduleInput) {
			in.Parameters = json.RawMessage(`{"statuses":["provision_error"],"limit":1000000}`)
		}, "parameters.limit"},
		{"GraceNegative", func(in *usecases.SaveScheduleInput) { in.GracePeriodMinutes = -5 }, "grace_period_minutes"},
		{"GraceTooLong", func(in *usecases.SaveScheduleInput) { in.GracePeriodMinutes = 1441 }, "grace_period_minutes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			forEachSchedStore(t, saveNow, func(t *testing.T, f *schedFixture) {
				in := validScheduleInput()
				tc.change(&in)

				_, err := f.save.Handle(context.Background(), in)
				require.ErrorIs(t, err, domain.ErrInvalid)
				var ve *domain.ValidationError
				require.True(t, errors.As(err, &ve))
				require.Equal(t, tc.field, ve.Field, "error: %v", err)

				_, err = f.store.ScheduleByName(context.Background(), in.Name)
				require.ErrorIs(t, err, domain.ErrNotFound, "nothing is written")
			})
		})
	}
}

// TestSaveScheduleSampleFile loads the sample schedules file, so it stays
// valid for the demo.
func TestSaveScheduleSampleFile(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "schedules", "schedules.json"))
	require.NoError(t, err)
	var file struct {
		Schedules []usecases.SaveScheduleInput `json:"schedules"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&file))
	require.Len(t, file.Schedules, 3)

	forEachSchedStore(t, saveNow, func(t *testing.T, f *schedFixture) {
		ctx := context.Background()
		for _, in := range file.Schedules {
			_, err := f.save.Handle(ctx, in)
			require.NoError(t, err, "schedule %q", in.Name)
		}
		enabled, err := f.store.ListEnabledSchedules(ctx)
		require.NoError(t, err)
		require.Len(t, enabled, 2)
	})
}
