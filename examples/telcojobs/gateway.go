package main

import (
	"context"
	"log/slog"

	"github.com/telcojobs/telcojobs/adapters/smshttp"
	"github.com/telcojobs/telcojobs/ports"
)

type unconfiguredGateway struct{}

func (unconfiguredGateway) SendSMS(context.Context, ports.SMSMessage) (string, error) {
	return "", notConfigured("the SMS gateway", "sms-url")
}

// provideGateway builds the SMS gateway client that --sms-url names.
func provideGateway(c Config, logger *slog.Logger) (ports.SMSGateway, error) {
	if c.SMSURL == "" {
		return unconfiguredGateway{}, nil
	}
	return smshttp.New(smshttp.Config{BaseURL: c.SMSURL, Token: c.SMSToken, DefaultSender: c.SMSSender, Logger: logger})
}
