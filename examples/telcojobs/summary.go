package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// spanishLabels names the result fields in the operators' language. A
// field without a label is shown by its JSON name.
var spanishLabels = map[string]string{
	"held_back":             "desactivación retenida",
	"job_error":             "error del trabajo",
	"created":               "creados",
	"updated":               "actualizados",
	"unchanged":             "sin cambios",
	"disabled":              "desactivados",
	"not_disabled":          "no desactivados",
	"rejected":              "filas rechazadas",
	"rejected_rows":         "motivos de rechazo",
	"rows":                  "filas",
	"alarm_raised":          "alarma creada",
	"forced":                "forzado",
	"encoding":              "codificación",
	"delimiter":             "separador",
	"channel":               "canal",
	"assigned":              "asignados",
	"already_assigned":      "ya tenían código",
	"duplicate":             "duplicados",
	"duplicates":            "duplicados",
	"invalid":               "no válidos",
	"not_assigned_no_codes": "sin asignar por falta de códigos",
	"added":                 "añadidos",
	"already_present":       "ya existían",
	"already_present_codes": "códigos que ya existían",
	"imported":              "importados",
	"already_stored":        "ya guardados",
	"ignored":               "ignorados",
	"entries":               "entradas",
	"checked":               "comprobados",
	"covered":               "con cobertura",
	"failed":                "fallidos",
	"skipped":               "omitidos",
	"already_sent":          "ya lo tenían",
	"released":              "liberados",
	"deleted":               "borrados",
	"selected":              "seleccionadas",
	"enqueued":              "encoladas",
	"fired":                 "disparadas",
	"already_fired":         "ya disparadas",
	"notifications":         "notificaciones",
	"sent":                  "enviado",
	"status":                "estado",
	"reason":                "motivo",
	"reason_es":             "motivo",
	"free":                  "libres",
	"threshold":             "umbral",
	"low":                   "por debajo del umbral",
	"last_alert_at":         "último aviso",
	"devices":               "dispositivos",
	"listed":                "listados",
	"retrieved":             "recuperados",
	"pages":                 "páginas",
	"announced_total":       "total anunciado",
	"listing_error":         "error del listado",
	"gone":                  "ya no existen",
	"enabled":               "activos",
	"to_disable":            "a desactivar",
	"held":                  "retenido",
	"devices_created":       "dispositivos creados",
	"devices_updated":       "dispositivos actualizados",
	"devices_disabled":      "dispositivos desactivados",
	"offers_created":        "ofertas creadas",
	"offers_updated":        "ofertas actualizadas",
	"offers_disabled":       "ofertas desactivadas",
	"offers_unchanged":      "ofertas sin cambios",
	"payments_replaced":     "planes de pago sustituidos",
	"unknown_offers":        "ofertas desconocidas",
	"window_start":          "desde",
	"window_end":            "hasta",
	"filename":              "fichero",
	"recipients":            "destinatarios",
	"recipient":             "destinatario",
	"email":                 "correo",
	"invalid_recipients":    "destinatarios no válidos",
	"attempts":              "intentos",
	"max_attempts":          "intentos máximos",
	"notification_id":       "notificación",
	"job_id":                "trabajo",
	"purchase_id":           "compra",
	"schedule_id":           "programación",
	"schedule":              "programación",
	"action":                "acción",
	"slot":                  "franja",
	"start":                 "desde",
	"end":                   "hasta",
	"cutoff":                "antes de",
	"batches":               "lotes",
	"pdfs_deleted":          "PDF borrados",
	"pdfs_left":             "PDF sin borrar",
	"zip_key":               "ZIP",
	"zip_deleted":           "ZIP borrado",
	"report":                "detalle",
	"name":                  "nombre",
	"iccid":                 "ICCID",
	"outcome":               "resultado",
	"requested":             "pedidos",
	"missing":               "no encontrados",
	"unknown_address":       "direcciones desconocidas",
	"failed_lead_ids":       "leads fallidos",
	"no_address":            "sin dirección",
	"message_id":            "Message-ID",
	"to":                    "para",
	"segments":              "segmentos",
	"gateway_id":            "id en la pasarela",
	"line":                  "línea",
	"column":                "columna",
	"value":                 "valor",
	"error":                 "error",
	"document_type":         "tipo de documento",
	"document_number":       "documento",
	"code":                  "código",
	"message":               "mensaje",
	"device":                "dispositivo",
	"offer":                 "oferta",
	"alias":                 "alias",
	"days_old":              "antigüedad en días",
	"from":                  "desde",
	"applied":               "aplicado",
}

// printSummary prints a result in Spanish: a title line, then one line per
// field, with lists shortened to their first entries.
func printSummary(w io.Writer, kind string, result any, took time.Duration, runErr error) {
	if runErr != nil {
		fmt.Fprintf(w, "El trabajo %s ha fallado tras %s.\n", kind, took.Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, "Trabajo %s terminado en %s.\n", kind, took.Round(time.Millisecond))
	}
	if result == nil {
		return
	}

	b, err := json.Marshal(result)
	if err != nil {
		return
	}
	fields, err := orderedFields(b)
	if err != nil {
		return
	}
	for _, f := range fields {
		if zeroJobID(f.key, f.value) {
			continue
		}
		name := label(f.key)
		if _, ok := f.value.(string); ok && f.key == "skipped" {
			name = skippedLabel
		}
		printField(w, "  ", name, f.value)
	}
}

// field is one top-level field of a result, in the result's order.
type field struct {
	key   string
	value any
}

// orderedFields decodes a JSON object's fields in the order they appear,
// which is the order of the result struct's fields.
func orderedFields(b []byte) ([]field, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var out []field
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, field{key: key, value: v})
	}
	return out, nil
}

// spanishValues translates the status codes that results carry.
var spanishValues = map[string]string{
	"already_consumed": "ya enviada", "already_cancelled": "ya cancelada", "no_data": "sin datos",
	"no_template": "sin plantilla", "no_valid_recipients": "sin destinatarios válidos",
	"pending": "pendiente", "consumed": "enviada", "cancelled": "cancelada",
	"listing_failed": "el listado de Orion falló", "listing_incomplete": "listado de Orion incompleto",
	"listing_empty": "listado de Orion vacío", "retrieve_failed": "falló la consulta de algún dispositivo",
	"disable_share_exceeded": "se desactivaría demasiado",
	"already_sent":           "ya enviado a todos los destinatarios",
	"stock_sufficient":       "quedan eSIM libres suficientes",
	"alerted_recently":       "ya se avisó hace poco",
	"concurrent_run":         "otra ejecución lo está haciendo",
}

// skippedLabel is the label of a skipped field that contains the reason
// nothing was sent, because "omitidos", its label as a count, does not
// fit a reason.
const skippedLabel = "sin enviar"

// spanishDocumentTypes translates the document types of assignment rows
// that operators write differently in Spanish; DNI and NIE stay.
var spanishDocumentTypes = map[string]string{"PASSPORT": "pasaporte"}

// zeroJobID reports whether a field is a job_id of 0, which means that no
// job was enqueued, such as for a notification that already existed. A
// summary leaves it out.
func zeroJobID(key string, v any) bool {
	n, ok := v.(float64)
	return key == "job_id" && ok && n == 0
}

// spanishOutcomes translates the status of a row of a result's list, such
// as the outcome of an ICC entry or the status of an assignment row.
var spanishOutcomes = map[string]string{
	"assigned": "asignado", "already_assigned": "ya tenía código", "duplicate": "duplicado",
	"invalid": "no válido", "not_assigned_no_codes": "sin código libre",
	"imported": "importado", "already_stored": "ya guardado", "ignored": "ignorado",
}

// englishBesideSpanish are the keys of a list entry that a summary leaves
// out when the entry has a Spanish reason (reason_es): the English error
// or reason, and the column and value, which the Spanish reason names.
var englishBesideSpanish = map[string]bool{"error": true, "reason": true, "column": true, "value": true}

func label(key string) string {
	if l, ok := spanishLabels[key]; ok {
		return l
	}
	return strings.ReplaceAll(key, "_", " ")
}

// maxListed caps the entries of a list that a summary shows.
const maxListed = 10

func printField(w io.Writer, indent, name string, v any) {
	switch x := v.(type) {
	case nil:
		return
	case string:
		if x != "" {
			if es, ok := spanishValues[x]; ok {
				x = es
			}
			fmt.Fprintf(w, "%s%s: %s\n", indent, name, x)
		}
	case bool:
		fmt.Fprintf(w, "%s%s: %s\n", indent, name, map[bool]string{true: "sí", false: "no"}[x])
	case []any:
		if len(x) == 0 {
			return
		}
		fmt.Fprintf(w, "%s%s: %d\n", indent, name, len(x))
		for i, item := range x {
			if i == maxListed {
				fmt.Fprintf(w, "%s  … y %d más (--json los muestra todos)\n", indent, len(x)-maxListed)
				break
			}
			fmt.Fprintf(w, "%s  - %s\n", indent, inline(item))
		}
	case map[string]any:
		if len(x) == 0 {
			return
		}
		fmt.Fprintf(w, "%s%s: %s\n", indent, name, inline(x))
	default:
		fmt.Fprintf(w, "%s%s: %v\n", indent, name, x)
	}
}

// inline formats a list entry on one line, as "campo=valor" pairs. An
// entry with a Spanish reason shows it in place of its English error.
func inline(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Sprint(v)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	spanish, _ := m["reason_es"].(string)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if m[k] == nil || m[k] == "" {
			continue
		}
		if spanish != "" && englishBesideSpanish[k] {
			continue
		}
		if zeroJobID(k, m[k]) {
			continue
		}
		v := m[k]
		if s, ok := v.(string); ok && (k == "status" || k == "outcome") && spanishOutcomes[s] != "" {
			v = spanishOutcomes[s]
		}
		if s, ok := v.(string); ok && k == "document_type" && spanishDocumentTypes[s] != "" {
			v = spanishDocumentTypes[s]
		}
		parts = append(parts, fmt.Sprintf("%s=%v", label(k), v))
	}
	return strings.Join(parts, ", ")
}
