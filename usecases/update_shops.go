package usecases

// UpdateShopsInput is the input of update_shops.
type UpdateShopsInput struct {
	ChannelSlug string `json:"channel_slug"`
	// FileKey is the blob-store key of the CSV file of shops.
	FileKey string `json:"file_key"`
	// Force disables missing shops even when the safety valve would stop it.
	Force bool `json:"force,omitempty"`
}

// Kind returns the job's name on the queue.
func (UpdateShopsInput) Kind() string { return "update_shops" }
