package usecases

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/telcojobs/telcojobs/domain"
	"github.com/telcojobs/telcojobs/ports"
)

// outletWords are the Spanish words that alarms use for one kind of
// outlet, so that nouns and adjectives agree in gender and number.
type outletWords struct {
	one, many string
	feminine  bool
}

// words returns the Spanish words of the importer's kind.
func (imp *outletImporter) words() outletWords {
	if imp.kind == domain.KindSeller {
		return outletWords{one: "vendedor", many: "vendedores"}
	}
	return outletWords{one: "tienda", many: "tiendas", feminine: true}
}

// noun returns "tienda" for n = 1 and "tiendas" otherwise.
func (w outletWords) noun(n int) string {
	if n == 1 {
		return w.one
	}
	return w.many
}

// agree returns a masculine singular adjective ending in -o, such as
// "activo", in the gender of the kind and the number of n.
func (w outletWords) agree(adjective string, n int) string {
	if w.feminine {
		adjective = strings.TrimSuffix(adjective, "o") + "a"
	}
	if n != 1 {
		adjective += "s"
	}
	return adjective
}

// none returns "ninguna tienda" or "ningún vendedor".
func (w outletWords) none() string {
	if w.feminine {
		return "ninguna " + w.one
	}
	return "ningún " + w.one
}

// them returns the plural object pronoun of the kind: "las" or "los".
func (w outletWords) them() string {
	if w.feminine {
		return "las"
	}
	return "los"
}

// rejectedRows returns "1 fila rechazada" or "n filas rechazadas".
func rejectedRows(n int) string {
	if n == 1 {
		return "1 fila rechazada"
	}
	return fmt.Sprintf("%d filas rechazadas", n)
}

// spanishOrDefault returns reason, or a plain Spanish word for a row
// rejected without one, so that no English text reaches an alarm.
func spanishOrDefault(reason string) string {
	if reason == "" {
		return "fila rechazada"
	}
	return reason
}

// raiseRejectedAlarm raises the alarm that lists the rejected rows of a
// file with their Spanish reasons, capped at MaxAlarmRows.
func (imp *outletImporter) raiseRejectedAlarm(ctx context.Context, job, slug, fileKey string, res *ImportResult) error {
	var details strings.Builder
	fmt.Fprintf(&details, "Fichero: %s\n", fileKey)
	for i, r := range res.RejectedRows {
		if i == imp.cfg.MaxAlarmRows {
			break
		}
		fmt.Fprintf(&details, "Línea %d: %s\n", r.Line, spanishOrDefault(r.ReasonES))
	}
	if shown := min(len(res.RejectedRows), imp.cfg.MaxAlarmRows); res.Rejected > shown {
		fmt.Fprintf(&details, "… y más errores: %s en total.\n", rejectedRows(res.Rejected))
	}

	msg := fmt.Sprintf("Importación de %s del canal %s: %s de %d", imp.words().many, slug, rejectedRows(res.Rejected), res.Rows)
	return imp.raise(ctx, job+":"+slug+":rejected_rows", msg, details.String(), res)
}

// raiseFileAlarm raises the alarm of a file that bulkcsv.NewReader
// rejected as a whole with err, so that no row of it was imported.
func (imp *outletImporter) raiseFileAlarm(ctx context.Context, job, slug, fileKey string, err error, res *ImportResult) error {
	w := imp.words()
	problem, todo := w.fileProblem(err, imp.columns)
	msg := fmt.Sprintf("Importación de %s del canal %s: fichero rechazado entero, no se ha cambiado %s", w.many, slug, w.none())
	details := fmt.Sprintf("Fichero: %s\n%s\n%s\n", fileKey, problem, todo)
	return imp.raise(ctx, job+":"+slug+":rejected_file", msg, details, res)
}

func (imp *outletImporter) raiseValveAlarm(ctx context.Context, job, slug, fileKey string, plan ports.ImportPlan,
	valve valveDecision, res *ImportResult) error {
	w := imp.words()
	kept := plan.Create + plan.Update + plan.Unchanged
	name := job + ":" + slug + ":safety_valve"

	if valve.missingShops {
		msg := fmt.Sprintf("Importación de vendedores del canal %s detenida: ninguna de las tiendas que nombra el fichero existe en el canal", slug)
		details := fmt.Sprintf("Fichero: %s\nFilas válidas: 0. Filas rechazadas: %d, todas por nombrar una tienda que el canal no tiene.\n"+
			"No se ha cambiado ningún vendedor. Importe antes las tiendas del canal. Si hay una importación de tiendas "+
			"en curso, esta importación se reintentará sola cuando acabe.",
			fileKey, res.Rejected)
		return imp.raise(ctx, name, msg, details, res)
	}
	if valve.empty {
		msg := fmt.Sprintf("Importación de %s del canal %s detenida: el fichero no tiene ninguna fila válida", w.many, slug)
		details := fmt.Sprintf("Fichero: %s\nFilas válidas: 0. Filas rechazadas: %d.\n"+
			"No se ha desactivado %s. Un fichero sin filas válidas no desactiva nada, ni siquiera con la opción Force "+
			"(--force en la línea de comandos).\n"+
			"Corrija el fichero (revise el separador y la cabecera) y vuelva a lanzar la importación.",
			fileKey, res.Rejected, w.none())
		return imp.raise(ctx, name, msg, details, res)
	}

	disable := plan.Disable + plan.DisableInFile
	msg := fmt.Sprintf("Importación de %s del canal %s detenida: desactivaría %d de %d %s %s (más del %.0f %% permitido)",
		w.many, slug, disable, plan.Enabled, w.noun(plan.Enabled), w.agree("activo", plan.Enabled), imp.cfg.MaxDisableShare*100)
	details := fmt.Sprintf("Fichero: %s\nFilas válidas: %d. Filas rechazadas: %d.\n"+
		"%s que se desactivarían: %d (faltan en el fichero: %d; el fichero %s marca como no %s: %d).\n"+
		"No se ha desactivado %s; las altas y los cambios sí se han aplicado.\n"+
		"Revise el fichero. Si es correcto, vuelva a lanzar la importación con la opción Force "+
		"(--force en la línea de comandos) para desactivar%s.",
		fileKey, kept, res.Rejected,
		strings.ToUpper(w.many[:1])+w.many[1:], disable, plan.Disable, w.them(), w.agree("activo", 2), plan.DisableInFile,
		w.none(), w.them())
	return imp.raise(ctx, name, msg, details, res)
}

// resolveAlarms resolves the channel's import alarms that an applied
// import makes stale: the rejected file's always, the rejected rows' when
// no row was rejected, and the safety valve's when the valve let the
// import disable what it had to.
func (imp *outletImporter) resolveAlarms(ctx context.Context, job, slug string, noRejects, valveOpen bool) error {
	names := []string{job + ":" + slug + ":rejected_file"}
	if noRejects {
		names = append(names, job+":"+slug+":rejected_rows")
	}
	if valveOpen {
		names = append(names, job+":"+slug+":safety_valve")
	}
	for _, name := range names {
		err := imp.alarms.ResolveAlarm(ctx, name, imp.clock.Now())
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return fmt.Errorf("resolve alarm %q: %w", name, err)
		}
		if err == nil {
			imp.logger.InfoContext(ctx, "alarm resolved", "alarm", name)
		}
	}
	return nil
}

func (imp *outletImporter) raise(ctx context.Context, name, msg, details string, res *ImportResult) error {
	alarm, err := domain.NewAlarm(name, msg, details, imp.clock.Now())
	if err != nil {
		return err
	}
	if _, err := imp.alarms.RaiseAlarm(ctx, alarm); err != nil {
		return fmt.Errorf("raise alarm %q: %w", name, err)
	}
	res.AlarmRaised = true
	imp.logger.WarnContext(ctx, "alarm raised", "alarm", name, "message", msg)
	return nil
}
