// Package winapp makes what turns the Windows build into a program a
// township office can install and recognise: the resource section of the
// .exe (a multi-size icon, version information from FyneApp.toml, an
// application manifest) and the installer's version file; and it checks a
// built .exe carries them.
package winapp

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png" // the icon is a PNG
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/tc-hib/winres"
	"github.com/tc-hib/winres/version"
)

// Meta is what FyneApp.toml says of the program.
type Meta struct {
	Name    string // 养老金发放核查工作台
	ID      string // cn.gov.pensionaudit
	Version string // 0.1.0
	Build   int
	Icon    string // path of the PNG, relative to FyneApp.toml
}

// Publisher is who the program's Properties → Details names as its maker.
const Publisher = "养老金发放核查工作台项目组"

// IconSizes are the sizes the icon carries: Explorer's small and large
// icons, the taskbar and Start menu at every scaling up to 256 px.
var IconSizes = []int{16, 20, 24, 32, 40, 48, 64, 96, 128, 256}

// ReadMeta reads FyneApp.toml.
func ReadMeta(path string) (Meta, error) {
	var f struct {
		Details struct {
			Icon    string
			Name    string
			ID      string
			Version string
			Build   int
		}
	}
	if _, err := toml.DecodeFile(path, &f); err != nil {
		return Meta{}, err
	}
	m := Meta{Name: f.Details.Name, ID: f.Details.ID, Version: f.Details.Version, Build: f.Details.Build, Icon: f.Details.Icon}
	if m.Name == "" || m.Version == "" || m.Icon == "" {
		return m, fmt.Errorf("%s: [Details] needs Name, Version and Icon", path)
	}
	if _, err := m.Numbers(); err != nil {
		return m, err
	}
	return m, nil
}

// Numbers is the four-part Windows version: major.minor.patch.build.
func (m Meta) Numbers() ([4]uint16, error) {
	var v [4]uint16
	parts := strings.Split(m.Version, ".")
	if len(parts) != 3 {
		return v, fmt.Errorf("version %q is not major.minor.patch", m.Version)
	}
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil {
			return v, fmt.Errorf("version %q: %v", m.Version, err)
		}
		v[i] = uint16(n)
	}
	v[3] = uint16(m.Build)
	return v, nil
}

// FullVersion is the version as Windows shows it: 0.1.0.1.
func (m Meta) FullVersion() string { return fmt.Sprintf("%s.%d", m.Version, m.Build) }

// Resources builds the resource section: the icon, the version information
// and the manifest (as the invoker — no administrator rights asked —, for
// Windows 10 and later, sharp on scaled screens).
func Resources(m Meta, icon io.Reader) (*winres.ResourceSet, error) {
	img, _, err := image.Decode(icon)
	if err != nil {
		return nil, fmt.Errorf("icon: %v", err)
	}
	ic, err := winres.NewIconFromResizedImage(img, IconSizes)
	if err != nil {
		return nil, err
	}
	rs := &winres.ResourceSet{}
	if err := rs.SetIcon(winres.Name("APPICON"), ic); err != nil {
		return nil, err
	}
	nums, err := m.Numbers()
	if err != nil {
		return nil, err
	}
	vi := version.Info{FileVersion: nums, ProductVersion: nums}
	for k, v := range map[string]string{
		version.ProductName:      m.Name,
		version.FileDescription:  m.Name,
		version.CompanyName:      Publisher,
		version.ProductVersion:   m.FullVersion(),
		version.FileVersion:      m.FullVersion(),
		version.InternalName:     "pensionaudit",
		version.OriginalFilename: "pensionaudit.exe",
		version.LegalCopyright:   "见 LICENSE",
		version.Comments:         "城乡居民养老保险待遇发放核查（" + m.ID + "）",
	} {
		// 0x0804: 中文（简体）
		if err := vi.Set(0x0804, k, v); err != nil {
			return nil, err
		}
	}
	rs.SetVersionInfo(vi)
	rs.SetManifest(winres.AppManifest{
		Identity:            winres.AssemblyIdentity{Name: m.ID, Version: nums},
		Description:         m.Name,
		Compatibility:       winres.Win10AndAbove,
		ExecutionLevel:      winres.AsInvoker,
		DPIAwareness:        winres.DPIPerMonitorV2,
		UseCommonControlsV6: true,
		LongPathAware:       true,
	})
	return rs, nil
}

// Check reads an executable's resource section and says what it lacks: the
// icon in every size, the version information of m, the manifest.
func Check(exe io.ReadSeeker, m Meta) error {
	rs, err := winres.LoadFromEXE(exe)
	if err != nil {
		return fmt.Errorf("no resource section: %v", err)
	}
	return CheckSet(rs, m)
}

// CheckSet is Check on a resource set.
func CheckSet(rs *winres.ResourceSet, m Meta) error {
	var problems []string
	ic, err := rs.GetIcon(winres.Name("APPICON"))
	if err != nil {
		problems = append(problems, "no icon: "+err.Error())
	} else {
		sizes, err := icoSizes(ic)
		if err != nil {
			problems = append(problems, err.Error())
		}
		for _, want := range IconSizes {
			if !sizes[want] {
				problems = append(problems, fmt.Sprintf("the icon has no %d px image", want))
			}
		}
	}
	var vi *version.Info
	rs.Walk(func(typeID, _ winres.Identifier, _ uint16, data []byte) bool {
		if typeID == winres.RT_VERSION {
			vi, err = version.FromBytes(data)
		}
		return vi == nil
	})
	if vi == nil {
		problems = append(problems, "no version information")
	} else {
		nums, _ := m.Numbers()
		if vi.FileVersion != nums || vi.ProductVersion != nums {
			problems = append(problems, fmt.Sprintf("version %v, want %v", vi.FileVersion, nums))
		}
		j, _ := json.Marshal(vi)
		for _, want := range []string{m.Name, Publisher, m.FullVersion()} {
			if !strings.Contains(string(j), want) {
				problems = append(problems, "the version information lacks "+want)
			}
		}
	}
	var manifest []byte
	rs.Walk(func(typeID, _ winres.Identifier, _ uint16, data []byte) bool {
		if typeID == winres.RT_MANIFEST {
			manifest = data
		}
		return manifest == nil
	})
	if manifest == nil {
		problems = append(problems, "no manifest")
	} else {
		am, err := winres.AppManifestFromXML(manifest)
		switch {
		case err != nil:
			problems = append(problems, "manifest: "+err.Error())
		case am.ExecutionLevel != winres.AsInvoker:
			problems = append(problems, "the manifest asks for more than the invoker's rights")
		case am.Compatibility != winres.Win10AndAbove:
			problems = append(problems, "the manifest does not declare Windows 10")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// icoSizes reads the image sizes of an icon from its .ico directory.
func icoSizes(ic *winres.Icon) (map[int]bool, error) {
	var b bytes.Buffer
	if err := ic.SaveICO(&b); err != nil {
		return nil, err
	}
	data := b.Bytes()
	if len(data) < 6 {
		return nil, fmt.Errorf("icon: too short")
	}
	n := int(binary.LittleEndian.Uint16(data[4:6]))
	out := map[int]bool{}
	for i := 0; i < n; i++ {
		e := 6 + 16*i
		if e+16 > len(data) {
			return nil, fmt.Errorf("icon: directory cut")
		}
		w := int(data[e])
		if w == 0 {
			w = 256
		}
		out[w] = true
	}
	return out, nil
}

// WriteSyso writes the resource section as an object file go build links
// into a windows/amd64 program.
func WriteSyso(rs *winres.ResourceSet, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := rs.WriteObject(f, winres.ArchAMD64); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// NSISDefines is the installer's version file: the name, version and
// publisher from FyneApp.toml, so that the installer never says another.
func NSISDefines(m Meta) string {
	return fmt.Sprintf("!define APPNAME \"%s\"\n!define APPID \"%s\"\n!define VERSION \"%s\"\n!define FULLVERSION \"%s\"\n!define PUBLISHER \"%s\"\n",
		m.Name, m.ID, m.Version, m.FullVersion(), Publisher)
}
