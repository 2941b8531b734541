-- Default Spanish templates of the daily validation report and the low eSIM
-- stock alert. A template that a host already created under one of these
-- names is kept. Empty senders use the mailer's configured From address.

INSERT INTO notification_templates (name, channel, subject, body, html_body, sender, updated_at)
VALUES (
    'icc_daily_validation_report',
    'email',
    'Informe diario de validaciones de ICC del {{ date }}',
    'Hola:

Adjuntamos el informe diario de activaciones con {{ rows }} registro{{ rows|pluralize }} cuyo último reintento fue entre el {{ start }} y el {{ end }} (hora peninsular).

El fichero {{ filename }} está separado por punto y coma y se abre directamente con Excel.

Un saludo,
Operaciones
',
    '',
    '',
    strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now')
), (
    'esim_low_stock_alert',
    'email',
    'Alerta: quedan {{ count }} eSIM sin asignar',
    'Hola:

Quedan {{ count }} ICC de eSIM sin asignar, por debajo del umbral de {{ threshold }}.

Importe un nuevo lote de ICC de eSIM para no quedarse sin existencias.

Un saludo,
Operaciones
',
    '',
    '',
    strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now')
)
ON CONFLICT (name) DO NOTHING;
