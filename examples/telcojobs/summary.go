package main

import (
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
	"created": "creados", "updated": "actualizados", "unchanged": "sin cambios", "disabled": "desactivados",
	"not_disabled": "no desactivados", "rejected": "rechazadas", "rejected_rows": "filas rechazadas",
	"rows": "filas", "alarm_raised": "alarma creada", "forced": "forzado", "encoding": "codificación",
	"delimiter": "separador", "channel": "canal", "assigned": "asignados", "already_assigned": "ya tenían código",
	"duplicate": "duplicados", "duplicates": "duplicados", "invalid": "no válidos",
	"not_assigned_no_codes": "sin asignar por falta de códigos", "added": "añadidos",
	"already_present": "ya existían", "imported": "importados", "already_stored": "ya guardados",
	"ignored": "ignorados", "entries": "entradas", "checked": "comprobados", "covered": "con cobertura",
	"failed": "fallidos", "skipped": "omitidos", "released": "liberados", "deleted": "borrados",
	"selected": "seleccionados", "enqueued": "encolados", "fired": "disparados", "due": "pendientes",
	"schedules": "programaciones", "notifications": "notificaciones", "sent": "enviados", "status": "estado",
	"reason": "motivo", "free": "libres", "threshold": "umbral", "alert_sent": "alerta enviada",
	"devices": "dispositivos", "offers": "ofertas", "listed": "listados", "retrieved": "recuperados",
	"not_found": "no encontrados", "unknown_offers": "ofertas desconocidas", "window_start": "desde",
	"window_end": "hasta", "recipients": "destinatarios", "invalid_recipients": "destinatarios no válidos",
	"attempts": "intentos", "notification_id": "notificación", "job_id": "trabajo", "purchase_id": "compra",
	"schedule_id": "programación", "from": "desde", "to": "hasta", "days_old": "antigüedad en días",
	"guard": "salvaguarda", "applied": "aplicado", "message": "mensaje", "error": "error",
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
	var fields map[string]any
	if json.Unmarshal(b, &fields) != nil {
		return
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		printField(w, "  ", label(k), fields[k])
	}
}

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

// inline formats a list entry on one line, as "campo=valor" pairs.
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
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if m[k] == nil || m[k] == "" {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s=%v", label(k), m[k]))
	}
	return strings.Join(parts, ", ")
}
