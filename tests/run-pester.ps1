# Pester runner for tests/run.sh: runs tests/powershell/*.Tests.ps1 with Pester 5 or later and
# prints one line of counts that run.sh parses (Pester's own summary has no stable format across
# versions, and a failed BeforeAll shows up only as a failed block or container, not a failed test).
#   pwsh -NoProfile -NonInteractive -File tests/run-pester.ps1 -Path tests/powershell [-CheckOnly]
# Exit 3: no Pester 5 here (run.sh reports the suite as skipped). Otherwise exit 0 and the
# PESTER-COUNTS line tells the outcome.
param(
    [Parameter(Mandatory)] [string] $Path,
    [switch] $CheckOnly
)
$ErrorActionPreference = 'Stop'

# As [version], not strings: '10.0.0' -lt '5.0.0' as text.
$minimum = [version]'5.0.0'
$found = @(Get-Module -ListAvailable -Name Pester)
$pester = $found | Where-Object { [version]$_.Version -ge $minimum } | Sort-Object { [version]$_.Version } -Descending | Select-Object -First 1
if (-not $pester) {
    $seen = if ($found.Count) { ($found | ForEach-Object { $_.Version.ToString() }) -join ', ' } else { 'none' }
    Write-Output "PESTER-MISSING: pwsh has no Pester $minimum or later (found: $seen; Install-Module Pester -MinimumVersion 5.0)"
    exit 3
}
Write-Output "PESTER-VERSION: $($pester.Version) ($($pester.ModuleBase))"
if ($CheckOnly) { exit 0 }

Import-Module $pester.Path -Force
$config = New-PesterConfiguration
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = 'Detailed'
# Plain text in the log file; RenderMode appeared in Pester 5.5.
if ($config.Output.PSObject.Properties.Name -contains 'RenderMode') { $config.Output.RenderMode = 'Plaintext' }

$r = Invoke-Pester -Configuration $config
$inconclusive = if ($r.PSObject.Properties.Name -contains 'InconclusiveCount') { $r.InconclusiveCount } else { 0 }
Write-Output ("PESTER-COUNTS passed={0} failed={1} skipped={2} notrun={3} inconclusive={4} failedBlocks={5} failedContainers={6} total={7}" -f `
        $r.PassedCount, $r.FailedCount, $r.SkippedCount, $r.NotRunCount, $inconclusive, $r.FailedBlocksCount, $r.FailedContainersCount, $r.TotalCount)
# A file that failed as a whole (discovery, a parse error) has an error record of its own.
foreach ($c in $r.Containers | Where-Object { $_.Result -eq 'Failed' -and $_.ErrorRecord.Count -gt 0 }) {
    Write-Output "PESTER-FAILED-CONTAINER: $($c.Item) $($c.ErrorRecord | Select-Object -First 1)"
}
exit 0
