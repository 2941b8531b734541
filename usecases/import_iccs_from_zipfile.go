package usecases

// ImportIccsFromZipfileInput is the input of import_iccs_from_zipfile.
type ImportIccsFromZipfileInput struct {
	// ZipKey is the blob-store key of the ZIP archive of eSIM PDFs.
	ZipKey string `json:"zip_key"`
}

// Kind returns the job's name on the queue.
func (ImportIccsFromZipfileInput) Kind() string { return "import_iccs_from_zipfile" }
