package usecases

// UpdateDeviceDataInput is the input of update_device_data.
type UpdateDeviceDataInput struct {
	// Force applies the disabling even when the safety valve would stop it.
	Force bool `json:"force,omitempty"`
}

// Kind returns the job's name on the queue.
func (UpdateDeviceDataInput) Kind() string { return "update_device_data" }
