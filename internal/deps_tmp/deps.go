package depstmp

import (
	_ "github.com/labstack/echo/v4"
	_ "github.com/lestrrat-go/jwx/v2/jws"
	_ "github.com/go-playground/validator/v10"
	_ "modernc.org/sqlite"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/pressly/goose/v3"
	_ "github.com/spf13/cobra"
	_ "github.com/goccy/go-yaml"
	_ "go.uber.org/goleak"
	_ "pgregory.net/rapid"
)
