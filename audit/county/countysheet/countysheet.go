// Package countysheet writes the county's sheet (PDF) or workbook (Excel)
// from a county store: the county's use case the front ends call (they do
// not reach into the reports themselves).
package countysheet

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"pensionaudit/audit"
	"pensionaudit/audit/county"
	"pensionaudit/audit/report"
)

// Write writes the sheet of one month (every month reported when p is 0)
// to path: .pdf or .xlsx; ID numbers masked unless unmask.
func Write(ctx context.Context, s *county.Store, p audit.Month, path string, unmask bool) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".pdf" && ext != ".xlsx" {
		return audit.Errorf(audit.ErrInvalid, "汇总表只能存为 .pdf 或 .xlsx：%s", path)
	}
	g, err := s.Status(ctx, p)
	if err != nil {
		return err
	}
	flags, err := s.Flags(ctx, p)
	if err != nil {
		return err
	}
	name, err := s.County(ctx)
	if err != nil {
		return err
	}
	d := &report.CountyData{County: name, Printed: time.Now(), Grid: g, Flags: flags}
	var buf bytes.Buffer
	if ext == ".pdf" {
		_, err = report.CountyPDF(d, report.Options{Unmask: unmask}, &buf)
	} else {
		err = report.CountyXLSX(d, report.Options{Unmask: unmask}, &buf)
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		return audit.Errorf(audit.ErrIO, "无法写入 %s：%v", path, err)
	}
	return nil
}
