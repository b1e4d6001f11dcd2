package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Installation is krog installed in one Slack workspace through the OAuth flow: a team, or a
// whole Enterprise Grid organisation (OrgWide). The bot token is kept sealed: the store never
// sees it in clear (the bot seals it with KROG_SECRET_KEY).
type Installation struct {
	ID             string // the team id, or the enterprise id of an org-wide install
	TeamID         string
	TeamName       string
	EnterpriseID   string
	EnterpriseName string
	OrgWide        bool
	SealedToken    []byte
	BotUserID      string
	BotID          string
	AppID          string
	Scopes         string
	Installer      string // the user who installed krog
	InstalledAt    time.Time
}

// SaveInstallation stores an installation, replacing an earlier one of the same workspace (a
// reinstall with new scopes, say).
func (s *Store) SaveInstallation(ctx context.Context, in Installation) error {
	if in.ID == "" || len(in.SealedToken) == 0 {
		return errors.New("save installation: id and token are required")
	}
	org := 0
	if in.OrgWide {
		org = 1
	}
	_, err := s.exec(ctx, `INSERT INTO installations (id, team_id, team_name, enterprise_id, enterprise_name, org_wide,
		bot_token, bot_user_id, bot_id, app_id, scopes, installer, installed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET team_id = excluded.team_id, team_name = excluded.team_name,
			enterprise_id = excluded.enterprise_id, enterprise_name = excluded.enterprise_name, org_wide = excluded.org_wide,
			bot_token = excluded.bot_token, bot_user_id = excluded.bot_user_id, bot_id = excluded.bot_id,
			app_id = excluded.app_id, scopes = excluded.scopes, installer = excluded.installer, installed_at = excluded.installed_at`,
		in.ID, in.TeamID, in.TeamName, in.EnterpriseID, in.EnterpriseName, org,
		in.SealedToken, in.BotUserID, in.BotID, in.AppID, in.Scopes, in.Installer, ts(in.InstalledAt))
	if err != nil {
		return fmt.Errorf("save installation %s: %w", in.ID, err)
	}
	return nil
}

const installCols = `id, team_id, team_name, enterprise_id, enterprise_name, org_wide, bot_token, bot_user_id, bot_id, app_id, scopes, installer, installed_at`

func scanInstallation(row interface{ Scan(...any) error }) (Installation, error) {
	var in Installation
	var org int
	var at string
	err := row.Scan(&in.ID, &in.TeamID, &in.TeamName, &in.EnterpriseID, &in.EnterpriseName, &org,
		&in.SealedToken, &in.BotUserID, &in.BotID, &in.AppID, &in.Scopes, &in.Installer, &at)
	in.OrgWide, in.InstalledAt = org == 1, parseTS(at)
	return in, err
}

// Installation returns the installation with id, and false if there is none.
func (s *Store) Installation(ctx context.Context, id string) (Installation, bool, error) {
	in, err := scanInstallation(s.queryRow(ctx, `SELECT `+installCols+` FROM installations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Installation{}, false, nil
	}
	if err != nil {
		return Installation{}, false, fmt.Errorf("read installation %s: %w", id, err)
	}
	return in, true, nil
}

// DeleteInstallation removes the installation with id (its token with it) and reports whether
// there was one.
func (s *Store) DeleteInstallation(ctx context.Context, id string) (bool, error) {
	res, err := s.exec(ctx, `DELETE FROM installations WHERE id = ?`, id)
	if err != nil {
		return false, fmt.Errorf("delete installation %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("delete installation %s: %w", id, err)
	}
	return n > 0, nil
}

// Installations lists every installation, oldest first.
func (s *Store) Installations(ctx context.Context) ([]Installation, error) {
	rows, err := s.query(ctx, `SELECT `+installCols+` FROM installations ORDER BY installed_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list installations: %w", err)
	}
	defer rows.Close()
	var out []Installation
	for rows.Next() {
		in, err := scanInstallation(rows)
		if err != nil {
			return nil, fmt.Errorf("list installations: %w", err)
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list installations: %w", err)
	}
	return out, nil
}
