package usecases

// UpdateSellersInput is the input of update_sellers.
type UpdateSellersInput struct {
	ChannelSlug string `json:"channel_slug"`
	// FileKey is the blob-store key of the CSV file of sellers.
	FileKey string `json:"file_key"`
	// Force disables missing sellers even when the safety valve would stop it.
	Force bool `json:"force,omitempty"`
}

// Kind returns the job's name on the queue.
func (UpdateSellersInput) Kind() string { return "update_sellers" }
