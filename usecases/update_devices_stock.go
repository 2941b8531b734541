package usecases

// UpdateDevicesStockInput is the input of update_devices_stock.
type UpdateDevicesStockInput struct {
}

// Kind returns the job's name on the queue.
func (UpdateDevicesStockInput) Kind() string { return "update_devices_stock" }
