//! `vcs tour`: the bundled emulator in-process on a free port, and the whole life cycle against
//! it, each step shown as the cmdlet and the `vcs` line that do the same. Every step checks what
//! it claims; the tour fails if any check does.

use crate::output::{cell, plural};
use serde_json::Value;
use vcs_native::csp::model::InvitationStatus;
use vcs_native::csp::request::*;
use vcs_native::{ConnectOptions, CspClient, Error, ErrorCategory};

struct Steps {
    number: usize,
    total: usize,
    failures: Vec<String>,
}

impl Steps {
    fn step(&mut self, title: &str, cmdlet: &str, cli: &str) {
        self.number += 1;
        println!("\n[{}/{}] {title}", self.number, self.total);
        println!("      PowerShell  {cmdlet}");
        println!("      vcs         {cli}");
    }

    fn check(&mut self, ok: bool, what: &str) {
        if ok {
            println!("      ok          {what}");
        } else {
            println!("      FAILED      {what}");
            self.failures.push(format!("step {}: {what}", self.number));
        }
    }
}

fn show<T: serde::Serialize>(items: &[T], columns: &[(&str, &str)], limit: usize) {
    let rows: Vec<Vec<String>> = items
        .iter()
        .take(limit)
        .map(|i| {
            let v: Value = serde_json::to_value(i).unwrap_or_default();
            columns.iter().map(|(_, k)| cell(&v[*k])).collect()
        })
        .collect();
    for line in crate::output::table(columns.iter().map(|(h, _)| *h).collect(), &rows).lines() {
        println!("      {line}");
    }
    if items.len() > limit {
        println!("      … and {} more", items.len() - limit);
    }
}

/// Who a removal acted on, one line a user.
fn show_removed(report: &vcs_native::BulkReport) {
    for item in &report.items {
        let who = item.target.as_ref().map(|t| format!("{} ({})", t.username, t.id)).unwrap_or_else(|| item.input.clone());
        println!("      {:<11} {who}", item.outcome);
    }
}

pub async fn run() -> Result<(), Error> {
    let emulator = vcs_emulator::start(vcs_emulator::Config::ephemeral(25))
        .await
        .map_err(|e| Error::internal(format!("the emulator did not start: {e}")))?;
    let url = emulator.url.clone();
    println!("vcs tour: the bundled CSP emulator is serving {url} (25 users, a few invitations).");
    println!("Every step below runs against it over HTTP, the way it would against console.cloud.vmware.com.");
    let mut s = Steps { number: 0, total: 18, failures: Vec::new() };

    s.step(
        "Connect with an API token",
        &format!("Connect-Vcs -Server {url} -ApiToken $apiToken"),
        &format!("VCS_SERVER={url} VCS_API_TOKEN=... vcs connection info"),
    );
    let client = CspClient::connect(ConnectOptions::api_token(url.clone(), emulator.api_token())).await?;
    let info = client.info().await;
    s.check(info.org_id == emulator.org_id(), &format!("connected to {} ({}) as {}", info.org_name, info.org_id, info.user));

    s.step("List organization roles", "Get-VcsOrganizationRole", "vcs role list");
    let roles = client.organization_roles(&Default::default()).await?;
    show(&roles, &[("Name", "name"), ("DisplayName", "displayName")], 10);
    s.check(roles.iter().any(|r| r.name == "org_member") && roles.len() >= 4, &plural(roles.len(), "organization role"));

    s.step("List services", "Get-VcsService", "vcs service list");
    let services = client.services(&Default::default()).await?;
    show(&services, &[("Name", "name"), ("Id", "id")], 10);
    s.check(services.iter().any(|x| x.name == "VMware Cloud on AWS"), &plural(services.len(), "service"));

    s.step(
        "List the service roles of VMware Cloud on AWS",
        "Get-VcsService -Name 'VMware Cloud on AWS' | Get-VcsServiceRole",
        "vcs service-role list --service 'VMware Cloud on AWS'",
    );
    let vmc_roles = client.service_roles(&ServiceRoleQuery { service: vec!["VMware Cloud on AWS".into()], ..Default::default() }).await?;
    show(&vmc_roles, &[("Name", "name"), ("DisplayName", "displayName")], 10);
    s.check(vmc_roles.iter().any(|r| r.name == "nsx:cloud_auditor"), &plural(vmc_roles.len(), "service role"));

    let emails = ["grace.hopper@tour.example", "alan.turing@tour.example", "edsger.dijkstra@tour.example"];
    s.step(
        "Invite three people as organization members with the NSX Cloud Auditor role",
        "New-VcsUserInvitation -Email grace.hopper@tour.example, alan.turing@tour.example, edsger.dijkstra@tour.example `\n                  -OrganizationRole (Get-VcsOrganizationRole -Name org_member) `\n                  -ServiceRole (Get-VcsServiceRole -Name nsx:cloud_auditor)",
        "vcs invitation new grace.hopper@tour.example alan.turing@tour.example edsger.dijkstra@tour.example \\\n                  --org-role org_member --service-role 'VMware Cloud on AWS=nsx:cloud_auditor'",
    );
    let report = client
        .invite(&InvitationRequest {
            emails: emails.iter().map(|e| e.to_string()).collect(),
            organization_roles: vec!["org_member".into()],
            service_roles: vec![ServiceRoleSpec { service: "VMware Cloud on AWS".into(), roles: vec!["nsx:cloud_auditor".into()] }],
            skip_notify: true,
        })
        .await?;
    s.check(
        report.succeeded == 3 && report.items.iter().all(|i| i.outcome == "invited"),
        &format!("{} invited, {} failed", report.succeeded, report.failed),
    );

    s.step(
        "List pending invitations",
        "Get-VcsUserInvitation -Name '*@tour.example' | Where-Object Status -eq Available",
        "vcs invitation list --name '*@tour.example' --status Available",
    );
    let pending = client
        .invitations(&InvitationQuery { name: vec!["*@tour.example".into()], status: vec!["Available".into()], ..Default::default() })
        .await?;
    show(&pending, &[("Email", "email"), ("Status", "status"), ("Expires", "expiredDate")], 10);
    s.check(pending.len() == 3, &plural(pending.len(), "pending invitation"));

    let grace = pending.iter().find(|i| i.email == emails[0]).map(|i| i.id.clone()).unwrap_or_default();
    s.step(
        "Grace accepts her invitation (the emulator's control API plays her clicking the link)",
        "Invoke-RestMethod -Method Post \"$server/_emulator/invitations/$id/accept\"",
        &format!("curl -X POST {url}/_emulator/invitations/{grace}/accept"),
    );
    let accepted = emulator.accept_invitation(&grace);
    s.check(accepted.is_ok(), "the invitation became a user");

    s.step("List users by name", "Get-VcsUser -Name 'Grace*'", "vcs user list --name 'Grace*'");
    let graces = client.users(&UserQuery { name: vec!["Grace*".into()], ..Default::default() }).await?;
    show(&graces, &[("Name", "name"), ("Email", "email")], 10);
    let grace_user = graces.iter().find(|u| u.email == emails[0]).cloned();
    s.check(
        grace_user.as_ref().is_some_and(|u| u.organization_roles == ["org_member"]),
        &format!("{} named Grace*, Grace Hopper among them as org_member", plural(graces.len(), "user")),
    );

    s.step(
        "Remove a user",
        "Get-VcsUser -Name 'Grace Hopper' | Remove-VcsUser -Confirm:$false",
        "vcs user remove grace.hopper@tour.example --yes",
    );
    let removed = match &grace_user {
        Some(u) => client.remove_users(&[UserRef::Id(u.id.clone())], false).await?,
        None => vcs_native::BulkReport::from_items(Vec::new()),
    };
    show_removed(&removed);
    let gone = client.users(&UserQuery { email: vec![emails[0].into()], ..Default::default() }).await?.is_empty();
    let named = removed.items.first().and_then(|i| i.target.as_ref()).is_some_and(|t| t.email == emails[0]);
    s.check(removed.succeeded == 1 && gone && named, "Grace Hopper is no longer a member, and the report names her");

    let rest: Vec<String> = pending.iter().filter(|i| i.id != grace).map(|i| i.id.clone()).collect();
    s.step(
        "Revoke the remaining invitations",
        "Get-VcsUserInvitation -Name '*@tour.example' | Where-Object Status -eq Available | Remove-VcsUserInvitation -Confirm:$false",
        &format!("vcs invitation remove {}", rest.join(" ")),
    );
    let revoked = client.revoke_invitations(&rest).await?;
    let after = client.invitations(&InvitationQuery { name: vec!["*@tour.example".into()], ..Default::default() }).await?;
    s.check(revoked.succeeded == 2 && after.iter().filter(|i| i.status == InvitationStatus::Revoked).count() == 2, "2 invitations revoked");

    csp_role_and_sync_steps(&mut s, &client).await?;

    // The second seed: Cloud Director users, on the same emulator.
    let info = emulator.connection_info();
    let text = |k: &str| info[k].as_str().unwrap_or_default().to_string();
    s.step(
        "Log in to Cloud Director as the tenant's administrator",
        &format!("Connect-Vcd -Server {url} -Org {} -Credential $cred", text("vcdOrg")),
        &format!("VCD_SERVER={url} VCD_ORG={} VCD_USER={} VCD_PASSWORD=... vcs vcd info", text("vcdOrg"), text("vcdUser")),
    );
    let vcd = vcs_native::vcd::VcdClient::connect(vcs_native::vcd::VcdConnectOptions::password(
        text("vcdUrl"),
        &text("vcdOrg"),
        &text("vcdUser"),
        text("vcdPassword"),
    ))
    .await?;
    let vinfo = vcd.info();
    s.check(
        vinfo.org == text("vcdOrg") && vinfo.roles.iter().any(|r| r == "Organization Administrator"),
        &format!("logged in to {} as {}", vinfo.org, vinfo.user),
    );

    s.step(
        "Create users from CSV rows; a row that breaks a rule is reported, the others are created",
        "Import-Csv users.csv | New-VcdUser",
        "vcs vcd user new --csv users.csv",
    );
    use vcs_native::vcd::request::{NewVcdUser, VcdUserQuery};
    let rows = vec![
        NewVcdUser {
            username: "tour.alice".into(),
            password: Some("alice-pass-1".into()),
            roles: vec!["vApp User".into()],
            full_name: Some("Alice Tour".into()),
            ..Default::default()
        },
        NewVcdUser {
            username: "tour.bob".into(),
            roles: vec!["Catalog Author".into()],
            provider_type: Some("LDAP".into()),
            ..Default::default()
        },
        NewVcdUser {
            username: "tour.eve".into(),
            password: Some("eve-pass-1".into()),
            roles: vec!["vApp User".into()],
            provider_type: Some("SAML".into()),
            ..Default::default()
        },
    ];
    let created = vcd.new_users(&rows).await?;
    for item in &created.items {
        match &item.error {
            None => println!("      created     {}", item.input),
            Some(e) => println!("      refused     {}: {}", item.input, e.message),
        }
    }
    s.check(
        created.succeeded == 2 && created.items[2].error.as_ref().is_some_and(|e| e.field.as_deref() == Some("users[2].password")),
        "2 created, the SAML row with a password refused",
    );

    s.step("Remove them again", "Get-VcdUser -Name 'tour.*' | Remove-VcdUser -Confirm:$false", "vcs vcd user remove 'tour.*' --yes");
    let removed = vcd.remove_users(&["tour.*".to_string()]).await?;
    show_removed(&removed);
    let left = vcd.users(&VcdUserQuery { name: vec!["tour.*".into()], ..Default::default() }).await?;
    s.check(removed.succeeded == 2 && left.is_empty(), "no tour.* user is left");

    vcd_sync_steps(&mut s, &vcd).await?;
    let _ = vcd.logout().await;

    emulator.stop().await;
    println!();
    if s.failures.is_empty() {
        println!("Tour complete: all {} steps did what they said.", s.total);
        Ok(())
    } else {
        Err(Error::new(ErrorCategory::Internal, format!("the tour failed: {}", s.failures.join("; "))))
    }
}

fn indent(text: &str) {
    for line in text.lines() {
        println!("      {line}");
    }
}

/// A role change, then a sync from a file: the plan, the apply, and a second plan with nothing in it.
async fn csp_role_and_sync_steps(s: &mut Steps, client: &CspClient) -> Result<(), Error> {
    use vcs_native::csp::user_roles::UserRolesRequest;
    use vcs_native::sync;
    let members = client.users(&UserQuery::default()).await?;
    let Some(member) = members.iter().find(|u| u.organization_roles == ["org_member"]).cloned() else {
        s.check(false, "a plain member to change");
        return Ok(());
    };
    s.step(
        "Change a member's roles: add Developer and the NSX Cloud Admin service role",
        &format!("Set-VcsUser -User {} -AddOrganizationRole developer -AddServiceRole 'VMware Cloud on AWS=nsx:cloud_admin'", member.email),
        &format!("vcs user set {} --add-org-role developer --add-service-role 'VMware Cloud on AWS=nsx:cloud_admin'", member.email),
    );
    let changed = client
        .set_user_roles(&UserRolesRequest {
            users: vec![serde_json::json!(member.email)],
            add_organization_roles: vec!["developer".into()],
            add_service_roles: vec![ServiceRoleSpec { service: "VMware Cloud on AWS".into(), roles: vec!["nsx:cloud_admin".into()] }],
            ..Default::default()
        })
        .await?;
    let now = client.users(&UserQuery { id: vec![member.id.clone()], ..Default::default() }).await?;
    s.check(
        changed.items.first().is_some_and(|i| i.outcome == "updated")
            && now.first().is_some_and(|u| u.organization_roles.contains(&"developer".to_string())),
        &format!("{} now holds {}", member.email, now.first().map(|u| u.organization_roles.join(", ")).unwrap_or_default()),
    );

    // The file: today's members as exported, one of them promoted, one new address.
    let exported = sync::csp::export(&client.users(&UserQuery::default()).await?);
    let other = members.iter().find(|u| u.organization_roles == ["org_member"] && u.id != member.id).cloned();
    let mut file = String::new();
    for line in exported.lines() {
        match &other {
            Some(o) if line.starts_with(&format!("{},", o.email)) => {
                file.push_str(&line.replacen("org_member", "org_member;support_user", 1))
            }
            _ => file.push_str(line),
        }
        file.push('\n');
    }
    file.push_str("ada.lovelace@tour.example,org_member,VMware Cloud on AWS=nsx:cloud_auditor\n");
    s.step(
        "Sync the organization from a file: the plan is shown, then applied row by row",
        "Get-VcsUser | Export-Csv org.csv   # edit it, then:   Sync-VcsUser -Path org.csv",
        "vcs user list --csv > org.csv      # edit it, then:   vcs sync org.csv",
    );
    let plan = sync::csp::plan(client, &file, false).await?;
    indent(&crate::sync::plan_text(&plan));
    let report = sync::csp::apply(client, &plan).await?;
    for i in &report.items {
        println!("      line {:<4} {:<9} {}  {}", i.line.unwrap_or(0), i.action.as_str(), i.item.input, i.item.outcome);
    }
    s.check(plan.summary.changes == 2 && report.all_ok(), &format!("{} of {} rows applied", report.succeeded, plan.rows.len()));

    s.step("Sync the same file again: nothing to do", "Sync-VcsUser -Path org.csv -WhatIf", "vcs sync org.csv --dry-run");
    let again = sync::csp::plan(client, &file, false).await?;
    indent(&crate::sync::plan_text(&again));
    s.check(again.is_empty(), "the second plan is empty");
    Ok(())
}

/// A Cloud Director sync from the `New-VcdUser` columns, and a second one with nothing to do.
async fn vcd_sync_steps(s: &mut Steps, vcd: &vcs_native::vcd::VcdClient) -> Result<(), Error> {
    use vcs_native::sync;
    use vcs_native::vcd::request::VcdUserQuery;
    let mut file = sync::vcd::export(&vcd.users(&VcdUserQuery::default()).await?);
    file.push_str("tour.carol,carol-pass-1,vApp Author;Catalog Author,Carol Tour,carol@tour.example,true,LOCAL\n");
    s.step(
        "Sync Cloud Director users from a file (New-VcdUser's columns)",
        "Get-VcdUser | Export-Csv users.csv   # add a row, then:   Sync-VcdUser -Path users.csv",
        "vcs vcd user list --csv > users.csv  # add a row, then:   vcs vcd sync users.csv",
    );
    let plan = sync::vcd::plan(vcd, &file, false).await?;
    indent(&crate::sync::plan_text(&plan));
    let report = sync::vcd::apply(vcd, &plan, Some(&file)).await?;
    s.check(
        plan.summary.create == 1 && report.all_ok() && report.items.iter().any(|i| i.item.outcome == "created"),
        "tour.carol created from the file's row",
    );
    s.step("Sync the same file again: nothing to do", "Sync-VcdUser -Path users.csv -WhatIf", "vcs vcd sync users.csv --dry-run");
    let again = sync::vcd::plan(vcd, &file, false).await?;
    indent(&crate::sync::plan_text(&again));
    s.check(again.is_empty(), "the second plan is empty");
    Ok(())
}
