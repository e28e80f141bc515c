package widgets

import (
	"fmt"
	"image/color"
	"sort"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"pensionaudit/audit"
	"pensionaudit/ui/i18n"
)

// Colours of the report grid: a clerk reads them at a glance, the legend
// says them in words.
var (
	colReported = color.NRGBA{R: 0x4c, G: 0xaf, B: 0x50, A: 0xff} // 已上报
	colNil      = color.NRGBA{R: 0x90, G: 0xca, B: 0xf9, A: 0xff} // 零报告
	colMissing  = color.NRGBA{R: 0xff, G: 0xb3, B: 0x00, A: 0xff} // 未上报
	colOverdue  = color.NRGBA{R: 0xe5, G: 0x39, B: 0x35, A: 0xff} // 未上报且已逾期
	colNoted    = color.NRGBA{R: 0xbd, G: 0xbd, B: 0xbd, A: 0xff} // 未上报，有缺报说明
	colBar      = color.NRGBA{R: 0x1e, G: 0x88, B: 0xe5, A: 0xff}
)

func swatch(c color.Color, text string) fyne.CanvasObject {
	r := canvas.NewRectangle(c)
	r.SetMinSize(fyne.NewSize(18, 18))
	return container.NewHBox(container.NewCenter(r), widget.NewLabel(text))
}

func cell(c color.Color, text string, w float32) fyne.CanvasObject {
	r := canvas.NewRectangle(c)
	r.SetMinSize(fyne.NewSize(w, 30))
	t := canvas.NewText(text, color.Black)
	t.Alignment = fyne.TextAlignCenter
	t.TextSize = 15
	return container.NewStack(r, container.NewCenter(t))
}

// ReportGrid is the village × month grid of death reports, coloured by
// state, with a legend, and a bar chart of open findings per village.
func ReportGrid(months []*audit.PeriodStatus, openByVillage map[string]int) fyne.CanvasObject {
	villageSet := map[string]bool{}
	for _, st := range months {
		for _, r := range st.Reports {
			villageSet[r.Village] = true
		}
	}
	var villages []string
	for v := range villageSet {
		villages = append(villages, v)
	}
	sort.Strings(villages)
	cols := len(months) + 1
	var objs []fyne.CanvasObject
	objs = append(objs, widget.NewLabelWithStyle("村(社区)＼月份", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, st := range months {
		objs = append(objs, widget.NewLabelWithStyle(st.Period, fyne.TextAlignCenter, fyne.TextStyle{Bold: true}))
	}
	for _, v := range villages {
		objs = append(objs, widget.NewLabel(v))
		for _, st := range months {
			state, note := "missing", ""
			for _, r := range st.Reports {
				if r.Village == v {
					state, note = r.State, r.Note
				}
			}
			switch {
			case state == "reported":
				objs = append(objs, cell(colReported, i18n.T("已上报"), 90))
			case state == "nil":
				objs = append(objs, cell(colNil, i18n.T("零报告"), 90))
			case note != "":
				objs = append(objs, cell(colNoted, i18n.T("有说明"), 90))
			case st.Overdue:
				objs = append(objs, cell(colOverdue, i18n.T("逾期未报"), 90))
			default:
				objs = append(objs, cell(colMissing, i18n.T("未上报"), 90))
			}
		}
	}
	grid := container.NewGridWithColumns(cols, objs...)
	legend := container.NewHBox(swatch(colReported, i18n.T("已上报")), swatch(colNil, "零报告（本月无死亡）"), swatch(colMissing, i18n.T("未上报")),
		swatch(colOverdue, "未上报且已逾期"), swatch(colNoted, "未上报，审核人已说明"))

	// bars: open findings per village
	maxN := 0
	for _, n := range openByVillage {
		maxN = max(maxN, n)
	}
	var bars []fyne.CanvasObject
	for _, v := range villages {
		n := openByVillage[v]
		w := float32(0)
		if maxN > 0 {
			w = 420 * float32(n) / float32(maxN)
		}
		bar := canvas.NewRectangle(colBar)
		bar.SetMinSize(fyne.NewSize(max(w, 2), 20))
		bars = append(bars, container.NewBorder(nil, nil, container.NewGridWrap(fyne.NewSize(110, 30), widget.NewLabel(v)), nil,
			container.NewHBox(container.NewCenter(bar), widget.NewLabel(fmt.Sprintf("%d 条", n)))))
	}
	if len(bars) == 0 {
		bars = append(bars, widget.NewLabel("还没有导入死亡名单或花名册。"))
	}
	return container.NewVScroll(container.NewVBox(
		widget.NewLabelWithStyle("各村死亡名单上报情况（每月 10 日前应上报上月名单）", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		grid, legend, widget.NewSeparator(),
		widget.NewLabelWithStyle("各村待处理的核查结果", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewVBox(bars...)))
}
