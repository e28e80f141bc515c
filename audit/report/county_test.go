package report_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"pensionaudit/audit/county"
	"pensionaudit/audit/county/countygen"
	"pensionaudit/audit/report"
)

// The county sheet prints the grid (the township that skipped first), the
// money per township and month, and the cross-township findings with IDs
// masked; the workbook has the same three sheets.
func TestCountySheet(t *testing.T) {
	ctx := context.Background()
	s, err := county.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := countygen.Demo(ctx, s); err != nil {
		t.Fatal(err)
	}
	g, _ := s.Status(ctx, 0)
	fs, _ := s.Flags(ctx, 0)
	d := &report.CountyData{County: "演示县", Printed: time.Date(2024, 5, 20, 9, 0, 0, 0, time.Local), Grid: g, Flags: fs}
	var pdf bytes.Buffer
	tr, err := report.CountyPDF(d, report.Options{}, &pdf)
	if err != nil {
		t.Fatal(err)
	}
	text := tr.Text()
	for _, want := range []string{"演示县 城乡居民养老保险待遇发放核查汇总表（2024-01 至 2024-04）", "第02镇 | 按时上报 | 未上报", "退回后重报",
		"2024-02 上报 5/6", "两个乡镇同月发放", "在别的乡镇死亡仍发放", "512000********0004", "审核人："} {
		if !strings.Contains(text, want) {
			t.Errorf("the county sheet lacks %q", want)
		}
	}
	if strings.Contains(text, countygen.ID(0, 4)) {
		t.Error("a full ID on the printed sheet")
	}
	var x bytes.Buffer
	if err := report.CountyXLSX(d, report.Options{}, &x); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.GetSheetList(), ","); got != "上报情况,核查和追回,跨乡镇问题" {
		t.Errorf("sheets %s", got)
	}
}
